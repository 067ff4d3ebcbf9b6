import { Hono } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { HeraldError, ValidationError } from '../../domain/errors.js';
import { LoginRefused } from '../../services/auth-service.js';
import { SSO_TTL_MS, SsoRefused } from '../../services/sso-service.js';
import { LoginPage, SetupPage } from '../../../views/pages/login.js';
import type { AppDeps, AppEnv } from '../context.js';
import { formOf, render } from '../render.js';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clearSessionCookie, readSessionCookie, redirectTo, setSessionCookie } from '../session.js';

function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Only local paths, so `next` can never send someone to another site after signing in. Resolved
 * the way a browser would (which drops tabs and newlines and reads "\\" as "/"), then kept only
 * if it stayed on this origin.
 */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith('/')) return '/';
  const base = 'http://herald.invalid';
  try {
    const url = new URL(next, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

export function authRoutes(deps: AppDeps) {
  const { auth, sso } = deps.services;
  const app = new Hono<AppEnv>();

  app.get('/login', (c) => {
    if (!auth.hasAdmin()) return c.redirect('/setup');
    if (c.var.session?.admin) return c.redirect(safeNext(c.req.query('next')));
    return render(c, <LoginPage next={safeNext(c.req.query('next'))} oidc={deps.config.oidc !== null} />);
  });

  app.post('/login', async (c) => {
    const form = await formOf(c);
    const next = safeNext(form.next);
    try {
      const { cookie } = await auth.login(form.email ?? '', form.password ?? '', clientIp(c));
      // A fresh session id on every sign-in; the old cookie (if any) is dropped.
      auth.destroySession(readSessionCookie(c, deps, 'admin'));
      setSessionCookie(c, deps, 'admin', cookie);
      return redirectTo(c, next);
    } catch (err) {
      if (!(err instanceof LoginRefused)) throw err;
      if (err.retryAfterMs) c.header('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
      return render(c, <LoginPage email={form.email} next={next} error={err.message} oidc={deps.config.oidc !== null} />, err.retryAfterMs ? 429 : 401);
    }
  });

  // Admin single sign-on (OIDC_ISSUER). The flow's sealed state rides in its own cookie, scoped
  // to the callback path and ten minutes; Lax so the provider's redirect back still carries it.
  const ssoCookie = deps.config.secureCookies ? '__Secure-herald_sso' : 'herald_sso';
  const ssoCookiePath = '/auth/oidc';

  app.get('/auth/oidc/start', async (c) => {
    if (!sso.enabled) return c.notFound() as Response;
    const next = safeNext(c.req.query('next'));
    try {
      const { url, transaction } = await sso.start(next);
      setCookie(c, ssoCookie, transaction, { httpOnly: true, sameSite: 'Lax', secure: deps.config.secureCookies, path: ssoCookiePath, maxAge: SSO_TTL_MS / 1000 });
      return c.redirect(url, 302);
    } catch (err) {
      if (!(err instanceof SsoRefused)) throw err;
      return render(c, <LoginPage next={next} error={err.message} oidc />, 503);
    }
  });

  app.get('/auth/oidc/callback', async (c) => {
    if (!sso.enabled) return c.notFound() as Response;
    const sealed = getCookie(c, ssoCookie);
    // Single use: whatever happens next, this browser's attempt is spent.
    deleteCookie(c, ssoCookie, { path: ssoCookiePath, secure: deps.config.secureCookies });
    try {
      const { cookie, next } = await sso.complete(new URL(c.req.url).search.slice(1), sealed);
      auth.destroySession(readSessionCookie(c, deps, 'admin'));
      setSessionCookie(c, deps, 'admin', cookie);
      return c.redirect(next, 302);
    } catch (err) {
      if (!(err instanceof SsoRefused)) throw err;
      return render(c, <LoginPage error={err.message} oidc />, err.reason === 'unavailable' ? 503 : 401);
    }
  });

  app.post('/logout', (c) => {
    auth.destroySession(readSessionCookie(c, deps, 'admin'));
    clearSessionCookie(c, deps, 'admin');
    return redirectTo(c, '/login');
  });

  app.get('/setup', (c) => {
    if (auth.hasAdmin()) return c.redirect('/login');
    auth.setupCode();
    return render(c, <SetupPage values={{}} />);
  });

  app.post('/setup', async (c) => {
    if (auth.hasAdmin()) return c.redirect('/login');
    const form = await formOf(c);
    try {
      const admin = await auth.completeSetup({ code: form.code ?? '', email: form.email ?? '', password: form.password ?? '', name: form.name ?? '' });
      const { cookie } = auth.createSession('admin', { adminId: admin.id });
      setSessionCookie(c, deps, 'admin', cookie);
      return redirectTo(c, '/');
    } catch (err) {
      if (!(err instanceof ValidationError) && !(err instanceof HeraldError)) throw err;
      const errors = err instanceof ValidationError ? err.fields : { _: [err.message] };
      return render(c, <SetupPage values={{ email: form.email, name: form.name, code: form.code }} errors={errors} />, 422);
    }
  });

  return app;
}
