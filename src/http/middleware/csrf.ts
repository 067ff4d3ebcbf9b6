import type { MiddlewareHandler } from 'hono';
import { safeEqual } from '../../lib/crypto.js';
import type { AppEnv } from '../context.js';
import { UNSUBSCRIBE_PATH } from '../routes/unsubscribe-routes.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF for browser routes (not the bearer-token API): every state-changing request must come
 * from our own origin (Origin, or Sec-Fetch-Site when Origin is absent), and, once there is a
 * session, carry the session's token: the X-CSRF-Token header that htmx sends from
 * `hx-headers`, a `_csrf` form field, or for multipart uploads a `_csrf` query parameter.
 */
export function csrfProtection(publicOrigin: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE.has(c.req.method) || c.req.path.startsWith('/api/')) return next();
    // RFC 8058 one-click unsubscribe: the mail provider posts without cookie or origin, and the
    // signed token in the path is the authority. The route changes nothing else.
    if (c.req.method === 'POST' && UNSUBSCRIBE_PATH.test(c.req.path)) return next();
    const origin = c.req.header('origin');
    const fetchSite = c.req.header('sec-fetch-site');
    const sameOrigin = origin ? origin === publicOrigin : fetchSite === 'same-origin';
    if (!sameOrigin) return c.text('Cross-site request refused.', 403);
    // A sign-in waiting for its second factor has its token too (the /login/verify forms).
    const session = c.var.session ?? c.var.pendingSession;
    if (session) {
      let token = c.req.header('x-csrf-token') ?? c.req.query('_csrf');
      const type = c.req.header('content-type') ?? '';
      if (!token && type.startsWith('application/x-www-form-urlencoded')) {
        const body = await c.req.parseBody();
        token = typeof body._csrf === 'string' ? body._csrf : undefined;
      }
      if (!token || !safeEqual(token, session.session.csrfToken))
        return c.text('This form has expired; reload the page and try again.', 403);
    }
    return next();
  };
}
