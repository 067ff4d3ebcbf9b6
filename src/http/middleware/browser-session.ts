import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { loadSession } from '../session.js';

/** Paths that are not browser pages: no cookie session is read for them. */
export function isMachinePath(path: string): boolean {
  return (
    path.startsWith('/api/') ||
    path.startsWith('/static/') ||
    path.startsWith('/media/') ||
    path === '/healthz' ||
    path === '/metrics'
  );
}

/** Client portal pages use the portal cookie; every other page the admin cookie. */
export function isPortalPath(path: string): boolean {
  return path === '/portal' || path.startsWith('/portal/') || path.startsWith('/invite/');
}

/**
 * Starting an account connection (`/auth/<network>/start`, or its form's `/auth/<network>/form`), not the admin
 * single sign-on.
 */
function isConnectStart(path: string): boolean {
  return /^\/auth\/[^/]+\/(start|form)$/.test(path) && path !== '/auth/oidc/start';
}

/**
 * Loads the browser session for page routes: the client portal's for portal paths, the admin's
 * for everything else. A connection is started by the portal's form (no `clientId`) or by an
 * admin's for a chosen client, so the CSRF check holds it to that session's token. OAuth
 * callbacks read both sessions themselves.
 */
export function browserSession(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const admin = loadSession(deps, 'admin');
  const portal = loadSession(deps, 'portal');
  return async (c, next) => {
    const path = c.req.path;
    if (isMachinePath(path)) return next();
    const portalSide = isPortalPath(path) || (isConnectStart(path) && c.req.query('clientId') === undefined);
    return (portalSide ? portal : admin)(c, next);
  };
}
