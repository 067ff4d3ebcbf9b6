import { Hono } from 'hono';
import { HeraldError, ValidationError } from '../../domain/errors.js';
import { LoginRefused } from '../../services/auth-service.js';
import { SsoRefused } from '../../services/sso-service.js';
import { SSO_COOKIE_PATH, setSsoCookie, ssoCookieName } from '../sso-cookie.js';
import { LoginPage, SetupPage } from '../../../views/pages/login.js';
import type { AppDeps, AppEnv } from '../context.js';
import { formOf, render } from '../render.js';
import { deleteCookie, getCookie } from 'hono/cookie';
import {
  clearSessionCookie,
  readDeviceCookie,
  readSessionCookie,
  redirectTo,
  setDeviceCookie,
  setSessionCookie,
  signInMeta,
} from '../session.js';
import { signInRoutes } from './sign-in-routes.js';
import { safeNext } from '../safe-next.js';

export function authRoutes(deps: AppDeps) {
  const { auth, sso } = deps.services;
  const app = new Hono<AppEnv>();

  app.get('/login', (c) => {
    if (!auth.hasAdmin()) return c.redirect('/setup');
    if (c.var.session?.admin) return c.redirect(safeNext(c.req.query('next')));
    if (c.var.pendingSession)
      return c.redirect(`/login/verify?next=${encodeURIComponent(safeNext(c.req.query('next')))}`);
    return render(c, <LoginPage next={safeNext(c.req.query('next'))} oidc={deps.config.oidc !== null} />);
  });

  app.post('/login', async (c) => {
    const form = await formOf(c);
    const next = safeNext(form.next);
    try {
      const { cookie, deviceCookie, pending } = await auth.login({
        email: form.email ?? '',
        password: form.password ?? '',
        ...signInMeta(c),
        deviceCookie: readDeviceCookie(c, deps),
      });
      // A fresh session id on every sign-in; the old cookie (if any) is dropped.
      auth.destroySession(readSessionCookie(c, deps, 'admin'));
      setSessionCookie(c, deps, 'admin', cookie);
      setDeviceCookie(c, deps, deviceCookie);
      if (pending) return redirectTo(c, `/login/verify?next=${encodeURIComponent(next)}`);
      return redirectTo(c, next);
    } catch (err) {
      if (!(err instanceof LoginRefused)) throw err;
      if (err.retryAfterMs) c.header('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
      return render(
        c,
        <LoginPage email={form.email} next={next} error={err.message} oidc={deps.config.oidc !== null} />,
        err.retryAfterMs ? 429 : 401,
      );
    }
  });

  // Admin single sign-on (OIDC_ISSUER); the flow's cookie is described in sso-cookie.ts.
  const ssoCookie = ssoCookieName(deps);
  const ssoCookiePath = SSO_COOKIE_PATH;

  app.get('/auth/oidc/start', async (c) => {
    if (!sso.enabled) return c.notFound() as Response;
    const next = safeNext(c.req.query('next'));
    try {
      const { url, transaction } = await sso.start(next);
      setSsoCookie(c, deps, transaction);
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
      const { cookie, next } = await sso.complete(new URL(c.req.url).search.slice(1), sealed, signInMeta(c));
      auth.destroySession(readSessionCookie(c, deps, 'admin'));
      setSessionCookie(c, deps, 'admin', cookie);
      // Checked again on the way out, though it was sealed at the start: one rule for every redirect.
      return c.redirect(safeNext(next), 302);
    } catch (err) {
      if (!(err instanceof SsoRefused)) throw err;
      return render(c, <LoginPage error={err.message} oidc />, err.reason === 'unavailable' ? 503 : 401);
    }
  });

  app.post('/logout', (c) => {
    auth.signOut(readSessionCookie(c, deps, 'admin'), signInMeta(c));
    clearSessionCookie(c, deps, 'admin');
    return redirectTo(c, '/login');
  });

  app.route('/', signInRoutes(deps));

  app.get('/setup', (c) => {
    if (auth.hasAdmin()) return c.redirect('/login');
    auth.setupCode();
    return render(c, <SetupPage values={{}} />);
  });

  app.post('/setup', async (c) => {
    if (auth.hasAdmin()) return c.redirect('/login');
    const form = await formOf(c);
    try {
      const admin = await auth.completeSetup({
        code: form.code ?? '',
        email: form.email ?? '',
        password: form.password ?? '',
        name: form.name ?? '',
      });
      const { cookie } = auth.createSession('admin', { adminId: admin.id }, Number.POSITIVE_INFINITY, {
        meta: signInMeta(c),
        authMethod: 'password',
      });
      setSessionCookie(c, deps, 'admin', cookie);
      return redirectTo(c, '/');
    } catch (err) {
      if (!(err instanceof ValidationError) && !(err instanceof HeraldError)) throw err;
      const errors = err instanceof ValidationError ? err.fields : { _: [err.message] };
      return render(
        c,
        <SetupPage values={{ email: form.email, name: form.name, code: form.code }} errors={errors} />,
        422,
      );
    }
  });

  return app;
}
