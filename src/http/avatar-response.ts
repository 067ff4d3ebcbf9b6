import type { Context } from 'hono';

/** An account picture (or its initial): the person's own for an hour, never cached by a shared proxy. */
export function avatarResponse(c: Context, avatar: { body: Uint8Array<ArrayBuffer> | string; type: string }): Response {
  c.header('content-type', avatar.type);
  c.header('cache-control', 'private, max-age=3600');
  return typeof avatar.body === 'string' ? c.body(avatar.body) : c.body(avatar.body);
}
