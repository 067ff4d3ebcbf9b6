import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { PageContext } from '../../views/layouts/admin.js';
import { PlatformLabels } from '../../views/components/platform-labels.js';
import type { AppEnv } from './context.js';

/** `__Host-` and Secure like the session cookie when PUBLIC_URL is https (see session.ts). */
function flashCookie(c: Context): { name: string; secure: boolean } {
  const secure = (c as Context<AppEnv>).var.secureCookies === true;
  return { name: secure ? '__Host-herald_flash' : 'herald_flash', secure };
}

/** Renders a JSX page (or partial) as a complete, standards-mode HTML response. Views are
 *  synchronous pure functions, so the markup is ready at once. */
export function render(c: Context, node: unknown, status: ContentfulStatusCode = 200): Response {
  const labels = (c as Context<AppEnv>).var.platformLabels ?? {};
  const html = (<PlatformLabels.Provider value={labels}>{node as Child}</PlatformLabels.Provider>).toString();
  return c.html(html.startsWith('<html') ? `<!doctype html>${html}` : html, status);
}

/** A one-shot message for the next page (after a redirect). */
export function setFlash(c: Context, kind: 'ok' | 'error', text: string): void {
  const { name, secure } = flashCookie(c);
  const value = Buffer.from(JSON.stringify({ kind, text })).toString('base64url');
  setCookie(c, name, value, { path: '/', httpOnly: true, sameSite: 'Lax', secure, maxAge: 60 });
}

export function takeFlash(c: Context): { kind: 'ok' | 'error'; text: string } | null {
  const { name, secure } = flashCookie(c);
  const raw = getCookie(c, name);
  if (!raw) return null;
  deleteCookie(c, name, { path: '/', secure });
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { kind?: unknown; text?: unknown };
    if ((value.kind === 'ok' || value.kind === 'error') && typeof value.text === 'string')
      return { kind: value.kind, text: value.text.slice(0, 500) };
  } catch {
    // a mangled cookie is simply ignored
  }
  return null;
}

/** What an admin page needs from the request: who, the CSRF token, the pending message. */
export function pageContext(c: Context<AppEnv>): PageContext {
  const session = c.var.session;
  const actor = c.var.actor;
  return {
    adminEmail: session?.admin?.email ?? '',
    csrf: session?.session.csrfToken ?? '',
    flash: takeFlash(c),
    ...(actor?.kind === 'admin' ? { access: actor.access } : {}),
  };
}

/** Form bodies as plain strings (multi-valued fields joined by the caller when needed). */
export async function formOf(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A form body read once, with its repeated fields (checkbox groups, multi-selects) as lists. */
export interface FormFields {
  /** The field's value, or '' when absent. */
  one(name: string): string;
  /** Every value the field was sent with. */
  many(name: string): string[];
}

/** The query string as form fields (forms that also preview through GET). */
export function queryFields(c: Context): FormFields {
  const params = new URL(c.req.url).searchParams;
  return { one: (name) => params.get(name) ?? '', many: (name) => params.getAll(name) };
}

export async function formFields(c: Context): Promise<FormFields> {
  const body = await c.req.parseBody({ all: true });
  return {
    one: (name) => (typeof body[name] === 'string' ? (body[name] as string) : ''),
    many: (name) => {
      const v = body[name];
      return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
    },
  };
}
