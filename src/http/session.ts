import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ResolvedSession, SignInMeta } from '../services/auth-service.js';
import { DEVICE_COOKIE_MS, SESSION_POLICY } from '../services/auth-service.js';
import type { AppDeps, AppEnv } from './context.js';
import { safeNext } from './safe-next.js';

export type SessionKind = 'admin' | 'portal';

/** Cookie names: `__Host-` (Secure, Path=/, no Domain) whenever PUBLIC_URL is https. */
export function cookieName(deps: AppDeps, kind: SessionKind): string {
  const base = kind === 'admin' ? 'herald_session' : 'herald_portal';
  return deps.config.secureCookies ? `__Host-${base}` : base;
}

/** `lifetimeMs`: a shorter life than the kind's (a portal session ends with its invite). */
export function setSessionCookie(
  c: Context,
  deps: AppDeps,
  kind: SessionKind,
  value: string,
  lifetimeMs?: number,
): void {
  setCookie(c, cookieName(deps, kind), value, {
    httpOnly: true,
    // Lax, not Strict: the OAuth callback from facebook.com / tiktok.com is a cross-site
    // top-level GET that must still carry the session.
    sameSite: 'Lax',
    secure: deps.config.secureCookies,
    path: '/',
    maxAge: Math.floor(Math.min(SESSION_POLICY[kind].absoluteMs, lifetimeMs ?? Number.POSITIVE_INFINITY) / 1000),
  });
}

export function clearSessionCookie(c: Context, deps: AppDeps, kind: SessionKind): void {
  deleteCookie(c, cookieName(deps, kind), { path: '/', secure: deps.config.secureCookies });
}

export function readSessionCookie(c: Context, deps: AppDeps, kind: SessionKind): string | undefined {
  return getCookie(c, cookieName(deps, kind));
}

/**
 * The device cookie a browser gets when an admin signs in on it: it only decides which sign-in
 * throttle applies to that browser (see auth-service.ts), so it is Strict (only our own sign-in
 * form needs it) and outlives sessions.
 */
function deviceCookieName(deps: AppDeps): string {
  return deps.config.secureCookies ? '__Host-herald_device' : 'herald_device';
}

export function setDeviceCookie(c: Context, deps: AppDeps, value: string): void {
  setCookie(c, deviceCookieName(deps), value, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: deps.config.secureCookies,
    path: '/',
    maxAge: Math.floor(DEVICE_COOKIE_MS / 1000),
  });
}

export function readDeviceCookie(c: Context, deps: AppDeps): string | undefined {
  return getCookie(c, deviceCookieName(deps));
}

/** Loads the session of `kind` (if any) into c.var.session and the matching actor. */
export function loadSession(deps: AppDeps, kind: SessionKind): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const resolved: ResolvedSession | null = deps.services.auth.resolveSession(readSessionCookie(c, deps, kind));
    if (resolved?.session.mfaPending) {
      // Not a session yet for anything else: every page treats this browser as signed out.
      if (kind === 'admin') c.set('pendingSession', resolved);
    } else if (resolved && resolved.session.kind === kind) {
      c.set('session', resolved);
      if (resolved.admin && resolved.access)
        c.set('actor', { kind: 'admin', id: resolved.admin.id, email: resolved.admin.email, access: resolved.access });
      else if (resolved.client) c.set('actor', { kind: 'client', clientId: resolved.client.id });
    }
    await next();
  };
}

/** Where a sign-in came from, kept on the session it opens. */
export function signInMeta(c: Context<AppEnv>): SignInMeta {
  return { address: c.var.clientAddress, userAgent: c.req.header('user-agent') };
}

export function isHtmx(c: Context): boolean {
  return c.req.header('hx-request') === 'true';
}

/** Sends the browser somewhere else, the htmx way for htmx requests. */
export function redirectTo(c: Context, location: string, status: 302 | 303 = 303): Response {
  if (isHtmx(c) && c.req.header('hx-boosted') !== 'true') {
    c.header('HX-Redirect', location);
    return c.body(null, 200);
  }
  return c.redirect(location, status);
}

/** Admin pages: no admin session → the sign-in page, coming back here afterwards. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.var.session?.admin) return next();
    if (c.var.pendingSession) return redirectTo(c, '/login/verify');
    // The raw path, not c.req.path (which decodes %5C into a backslash), through the same check.
    const url = new URL(c.req.url);
    const back = c.req.method === 'GET' ? safeNext(url.pathname + url.search) : '/';
    return redirectTo(c, `/login?next=${encodeURIComponent(back)}`);
  };
}
