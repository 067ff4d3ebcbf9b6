import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { type Context, Hono } from 'hono';
import { HeraldError } from '../../domain/errors.js';
import { LoginPage, VerifyPage } from '../../../views/pages/login.js';
import type { AppDeps, AppEnv } from '../context.js';
import { STATUS_OF } from '../errors.js';
import { jsonBody, setChallenge, takeChallenge } from '../passkey-challenge.js';
import { formOf, render } from '../render.js';
import { safeNext } from '../safe-next.js';
import { clearSessionCookie, readSessionCookie, redirectTo, setSessionCookie, signInMeta } from '../session.js';

/** A refused passkey ceremony, as the page's script reads it. */
function refused(c: Context<AppEnv>, err: unknown) {
  if (!(err instanceof HeraldError)) throw err;
  return c.json({ error: err.message }, STATUS_OF[err.code]);
}

/**
 * Signing in with a passkey alone (the button on /login), and the second step of a password sign-in
 * (/login/verify: a code from the app, a recovery code, or a passkey). A session waiting for that step reaches
 * nothing else (session.ts), and is replaced by a new one once the step is done.
 */
export function signInRoutes(deps: AppDeps) {
  const { auth, twoFactor, passkeys } = deps.services;
  const app = new Hono<AppEnv>();

  function verifyPage(c: Context<AppEnv>, next: string, error?: string, status: 200 | 401 = 200) {
    const pending = c.var.pendingSession!;
    const admin = pending.admin!;
    return render(
      c,
      <VerifyPage
        next={next}
        csrf={pending.session.csrfToken}
        codes={admin.totpEnabledAt !== null || (admin.recoveryCodes?.length ?? 0) > 0}
        passkeys={deps.repos.passkeys.countOfAdmin(admin.id) > 0}
        error={error}
      />,
      status,
    );
  }

  app.get('/login/verify', (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.var.session?.admin) return c.redirect(next);
    if (!c.var.pendingSession) return c.redirect(`/login?next=${encodeURIComponent(next)}`);
    return verifyPage(c, next);
  });

  app.post('/login/verify', async (c) => {
    const form = await formOf(c);
    const next = safeNext(form.next);
    const pending = c.var.pendingSession;
    if (!pending) return redirectTo(c, `/login?next=${encodeURIComponent(next)}`);
    const result = twoFactor.verifyPending(pending.session, form.code ?? '', signInMeta(c));
    if ('error' in result) {
      if (!result.restart) return verifyPage(c, next, result.error, 401);
      clearSessionCookie(c, deps, 'admin');
      return render(c, <LoginPage next={next} error={result.error} oidc={deps.config.oidc !== null} />, 401);
    }
    setSessionCookie(c, deps, 'admin', result.cookie);
    return redirectTo(c, next);
  });

  app.post('/login/passkey/options', async (c) => {
    const { options, challenge } = await passkeys.signInOptions();
    setChallenge(c, deps, challenge);
    return c.json(options);
  });

  app.post('/login/passkey', async (c) => {
    const body = await jsonBody(c);
    try {
      const response = body.response as AuthenticationResponseJSON;
      const { cookie } = await passkeys.signIn(takeChallenge(c, deps), response, signInMeta(c));
      // A fresh session id on every sign-in; a half-finished password sign-in on this browser is dropped.
      auth.destroySession(readSessionCookie(c, deps, 'admin'));
      setSessionCookie(c, deps, 'admin', cookie);
      return c.json({ redirect: safeNext(typeof body.next === 'string' ? body.next : undefined) });
    } catch (err) {
      return refused(c, err);
    }
  });

  app.post('/login/verify/passkey/options', async (c) => {
    const pending = c.var.pendingSession;
    if (!pending) return c.json({ error: 'Sign in with your password first.' }, 401);
    const { options, challenge } = await passkeys.secondStepOptions(pending.session);
    setChallenge(c, deps, challenge);
    return c.json(options);
  });

  app.post('/login/verify/passkey', async (c) => {
    const pending = c.var.pendingSession;
    if (!pending) return c.json({ error: 'Sign in with your password first.' }, 401);
    const body = await jsonBody(c);
    try {
      const response = body.response as AuthenticationResponseJSON;
      const { cookie } = await passkeys.verifyPending(pending.session, takeChallenge(c, deps), response, signInMeta(c));
      setSessionCookie(c, deps, 'admin', cookie);
      return c.json({ redirect: safeNext(typeof body.next === 'string' ? body.next : undefined) });
    } catch (err) {
      return refused(c, err);
    }
  });

  return app;
}
