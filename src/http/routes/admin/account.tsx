import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { ConflictError, HeraldError, ValidationError } from '../../../domain/errors.js';
import { AccountSecurityPage, type SecurityData } from '../../../../views/pages/account-security.js';
import { AccountSessionsPage } from '../../../../views/pages/account-sessions.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { STATUS_OF } from '../../errors.js';
import { jsonBody, setChallenge, takeChallenge } from '../../passkey-challenge.js';
import { formOf, pageContext, render, setFlash } from '../../render.js';
import { redirectTo } from '../../session.js';

type Member = Extract<AppEnv['Variables']['actor'], { kind: 'admin' }>;
const memberOf = (c: Context<AppEnv>) => c.var.actor as Member;

/** Where a member who owes a second factor may go: enrolling it (and signing out, outside this area). */
const ENROL_PATH = '/account/security';

/**
 * The owner's "Require two factors for everyone": a member who signed in with a password alone and has no second
 * factor reaches nothing but the security page until they add one.
 */
export function requireEnrolment(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const resolved = c.var.session;
    if (!resolved?.admin || c.req.path === ENROL_PATH || c.req.path.startsWith(`${ENROL_PATH}/`)) return next();
    if (!deps.services.twoFactor.mustEnrol(resolved.session, resolved.admin)) return next();
    return redirectTo(c, ENROL_PATH);
  };
}

/** The member's own sign-in settings: /account/security (passkeys, app, recovery codes) and /account/sessions. */
export function accountRoutes(deps: AppDeps) {
  const { services, clock } = deps;
  const { passkeys, twoFactor, sessions } = services;
  const app = new Hono<AppEnv>();

  async function securityPage(c: Context<AppEnv>, extra: Partial<SecurityData> = {}, status: 200 | 422 = 200) {
    const resolved = c.var.session!;
    const admin = resolved.admin!;
    const status2 = twoFactor.status(admin.id);
    // The page answers a POST when it shows codes or errors: the address bar keeps the page's own address.
    c.header('HX-Push-Url', ENROL_PATH);
    return render(
      c,
      <AccountSecurityPage
        page={pageContext(c)}
        data={{
          passkeys: passkeys.list(admin.id),
          totpEnabled: status2.totpEnabled,
          enrolment: status2.enrolling ? await twoFactor.enrolment(admin.id) : null,
          recoveryLeft: status2.recoveryLeft,
          newCodes: null,
          mustEnrol: twoFactor.mustEnrol(resolved.session, admin),
          timezone: admin.timezone,
          ...extra,
        }}
      />,
      status,
    );
  }

  /** A refused change shows the page again with the reason; anything else is the app's error page. */
  async function attempt(c: Context<AppEnv>, action: () => Promise<Response> | Response) {
    try {
      return await action();
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      return securityPage(
        c,
        {
          errors: err instanceof ValidationError ? err.fields : {},
          ...(err instanceof ValidationError ? {} : { message: err.message }),
        },
        422,
      );
    }
  }

  app.get('/account/security', (c) => securityPage(c));

  app.post('/account/security/passkeys/options', async (c) => {
    const { options, challenge } = await passkeys.registrationOptions(memberOf(c));
    setChallenge(c, deps, challenge);
    return c.json(options);
  });

  app.post('/account/security/passkeys', async (c) => {
    const body = await jsonBody(c);
    try {
      const row = await passkeys.register(memberOf(c), takeChallenge(c, deps), body);
      setFlash(c, 'ok', `Passkey "${row.name}" added.`);
      return c.json({ redirect: ENROL_PATH });
    } catch (err) {
      if (!(err instanceof HeraldError)) throw err;
      const fields = err instanceof ValidationError ? Object.entries(err.fields) : [];
      const message = fields.length ? fields.map(([k, v]) => `The ${k} ${v.join(', ')}.`).join(' ') : err.message;
      return c.json({ error: message }, STATUS_OF[err.code]);
    }
  });

  app.post('/account/security/passkeys/:id/rename', async (c) => {
    const form = await formOf(c);
    return attempt(c, () => {
      passkeys.rename(memberOf(c), c.req.param('id'), { name: form.name });
      setFlash(c, 'ok', 'Passkey renamed.');
      return redirectTo(c, ENROL_PATH);
    });
  });

  app.post('/account/security/passkeys/:id/remove', (c) => {
    passkeys.remove(memberOf(c), c.req.param('id'));
    setFlash(c, 'ok', 'Passkey removed.');
    return redirectTo(c, ENROL_PATH);
  });

  app.post('/account/security/totp', (c) =>
    attempt(c, async () => {
      await twoFactor.startTotp(memberOf(c));
      return securityPage(c);
    }),
  );

  app.post('/account/security/totp/confirm', async (c) => {
    const form = await formOf(c);
    return attempt(c, () => {
      const { recoveryCodes } = twoFactor.confirmTotp(memberOf(c), form.code ?? '');
      return securityPage(c, { newCodes: recoveryCodes });
    });
  });

  app.post('/account/security/totp/disable', async (c) => {
    const form = await formOf(c);
    return attempt(c, () => {
      try {
        twoFactor.disableTotp(memberOf(c), form.disableCode ?? '');
      } catch (err) {
        // The form's field is named apart from the confirm form's.
        if (err instanceof ValidationError) throw new ValidationError({ disableCode: err.fields.code ?? [] });
        throw err;
      }
      setFlash(c, 'ok', 'The authenticator app was removed.');
      return redirectTo(c, ENROL_PATH);
    });
  });

  app.post('/account/security/recovery-codes', (c) =>
    attempt(c, () => securityPage(c, { newCodes: twoFactor.regenerateRecoveryCodes(memberOf(c)) })),
  );

  app.get('/account/sessions', (c) => {
    const resolved = c.var.session!;
    return render(
      c,
      <AccountSessionsPage
        page={pageContext(c)}
        sessions={sessions.list(resolved.admin!.id, resolved.session.idHash)}
        now={clock.now()}
        timezone={resolved.admin!.timezone}
      />,
    );
  });

  app.post('/account/sessions/revoke-others', (c) => {
    const resolved = c.var.session!;
    const ended = sessions.revokeOthers(memberOf(c), resolved.session.idHash, c.var.clientAddress);
    setFlash(c, 'ok', ended === 1 ? 'Signed out 1 other session.' : `Signed out ${ended} other sessions.`);
    return redirectTo(c, '/account/sessions');
  });

  app.post('/account/sessions/:id/revoke', (c) => {
    sessions.revoke(memberOf(c), c.req.param('id'), c.var.clientAddress);
    setFlash(c, 'ok', 'That session was signed out.');
    return redirectTo(c, '/account/sessions');
  });

  app.post('/settings/require-mfa', async (c) => {
    const form = await formOf(c);
    const on = form.requireMfa === 'on';
    try {
      twoFactor.setRequireMfa(memberOf(c), on);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      setFlash(c, 'error', err.message);
      return redirectTo(c, '/settings');
    }
    setFlash(c, 'ok', on ? 'Two factors are now required for everyone.' : 'Two factors are no longer required.');
    return redirectTo(c, '/settings');
  });

  return app;
}
