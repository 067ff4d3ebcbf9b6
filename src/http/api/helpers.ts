import type { Context, MiddlewareHandler } from 'hono';
import { UnsupportedMediaError, ValidationError } from '../../domain/errors.js';
import { MAX_PAGE_SIZE } from '../../db/repos/pagination.js';
import type { AppDeps, AppEnv } from '../context.js';
import { apiError } from '../errors.js';

/** Bearer-token auth for /api/v1. Cookies are ignored here on purpose: no CSRF surface. */
export function requireApiToken(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match ? deps.services.apiTokens.verify(match[1]!) : null;
    if (!token) {
      c.header('WWW-Authenticate', 'Bearer realm="herald"');
      return apiError(c, 401, 'unauthorized', match ? 'The API token is not valid or was revoked.' : 'Send an API token: Authorization: Bearer <token>.');
    }
    c.set('actor', { kind: 'api', tokenId: token.id, name: token.name });
    await next();
  };
}

/** The JSON body, or a clear 415/400 instead of a crash. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  // An empty body is an empty object: `POST /posts/:id/approve` needs nothing more.
  if (!text.trim()) return {};
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) throw new UnsupportedMediaError('Send JSON with Content-Type: application/json.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError({ body: ['is not valid JSON'] }, 'The request body is not valid JSON.');
  }
}

/** `?limit=` (default 50, at most 200). */
export function limitOf(c: Context, fallback = 50): number {
  const raw = c.req.query('limit');
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw ValidationError.field('limit', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  return n;
}
