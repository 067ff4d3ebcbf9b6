import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { loadSession } from '../session.js';

/** Paths that are not browser pages: no cookie session is read for them. */
export function isMachinePath(path: string): boolean {
  return path.startsWith('/api/') || path.startsWith('/static/') || path.startsWith('/media/') || path === '/healthz' || path === '/metrics';
}

/** Client portal pages use the portal cookie; every other page the admin cookie. */
export function isPortalPath(path: string): boolean {
  return path === '/portal' || path.startsWith('/portal/') || path.startsWith('/invite/');
}

/**
 * Loads the browser session for page routes: the client portal's for portal paths, the admin's
 * for everything else. OAuth routes read both themselves.
 */
export function browserSession(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const admin = loadSession(deps, 'admin');
  const portal = loadSession(deps, 'portal');
  return async (c, next) => {
    if (isMachinePath(c.req.path)) return next();
    return (isPortalPath(c.req.path) ? portal : admin)(c, next);
  };
}
