import { type Context, Hono } from 'hono';
import { HeraldError, ValidationError } from '../../domain/errors.js';
import type { MemberInviteRow } from '../../db/repos/index.js';
import { roleText } from '../../services/members-service.js';
import { agencyNameOf } from '../../services/settings-service.js';
import { SsoRefused } from '../../services/sso-service.js';
import { ErrorPage } from '../../../views/pages/error.js';
import { JoinPage } from '../../../views/pages/join.js';
import type { AppDeps, AppEnv } from '../context.js';
import { STATUS_OF } from '../errors.js';
import { formOf, render, setFlash } from '../render.js';
import { readSessionCookie, redirectTo, setSessionCookie, signInMeta } from '../session.js';
import { setSsoCookie } from '../sso-cookie.js';

/**
 * `/join/<secret>`: a team invitation's link (public: the secret is the authority). Joining sets a name and a
 * password, or goes through single sign-on, whose callback finishes the join (sso-service.ts).
 */
export function joinRoutes(deps: AppDeps) {
  const { members, auth, sso } = deps.services;
  const app = new Hono<AppEnv>();

  function page(
    c: Context<AppEnv>,
    invite: MemberInviteRow,
    extra: { values?: { name?: string }; errors?: Record<string, string[]>; message?: string } = {},
    status: 200 | 422 | 503 = 200,
  ) {
    const clients = invite.clientIds.flatMap((id) => deps.repos.clients.get(id)?.name ?? []);
    return render(
      c,
      <JoinPage
        invite={invite}
        action={new URL(c.req.url).pathname}
        agency={agencyNameOf(deps.repos, 'the team')}
        grants={roleText(invite.role, clients)}
        csrf={c.var.session?.session.csrfToken}
        sso={sso.enabled}
        {...extra}
      />,
      status,
    );
  }

  /** A link that cannot be used any more says why, with the status the error carries. */
  function refused(c: Context<AppEnv>, err: HeraldError) {
    const status = STATUS_OF[err.code];
    const title = err.code === 'not_found' ? 'This invitation does not work' : 'This invitation cannot be used';
    const message =
      err.code === 'not_found'
        ? 'The link is not valid, or the invitation was withdrawn. Ask for a new one.'
        : err.message;
    return render(c, <ErrorPage status={status} title={title} message={message} />, status);
  }

  app.get('/join/:token', (c) => {
    try {
      return page(c, members.openInvite(c.req.param('token')));
    } catch (err) {
      if (err instanceof HeraldError) return refused(c, err);
      throw err;
    }
  });

  app.post('/join/:token', async (c) => {
    const secret = c.req.param('token');
    const form = await formOf(c);
    let invite: MemberInviteRow;
    try {
      invite = members.openInvite(secret);
    } catch (err) {
      if (err instanceof HeraldError) return refused(c, err);
      throw err;
    }
    if (form.via === 'sso') {
      try {
        const { url, transaction } = await sso.start('/', secret);
        setSsoCookie(c, deps, transaction);
        return c.redirect(url, 302);
      } catch (err) {
        if (!(err instanceof SsoRefused)) throw err;
        return page(c, invite, { message: err.message }, 503);
      }
    }
    try {
      const { member, cookie } = await members.acceptWithPassword(
        secret,
        {
          name: form.name ?? '',
          password: form.password ?? '',
          confirmPassword: form.confirmPassword ?? '',
        },
        signInMeta(c),
      );
      // A fresh session for the new member; whoever was signed in on this browser before is signed out.
      auth.destroySession(readSessionCookie(c, deps, 'admin'));
      setSessionCookie(c, deps, 'admin', cookie);
      setFlash(c, 'ok', `Welcome to the team, ${member.name || member.email}.`);
      return redirectTo(c, '/');
    } catch (err) {
      if (err instanceof ValidationError) {
        c.header('HX-Push-Url', 'false');
        return page(c, invite, { values: { name: form.name ?? '' }, errors: err.fields }, 422);
      }
      if (err instanceof HeraldError) return refused(c, err);
      throw err;
    }
  });

  return app;
}
