import { type Context, Hono } from 'hono';
import { accessOf } from '../../../domain/actor.js';
import { ForbiddenError, HeraldError, ValidationError } from '../../../domain/errors.js';
import { mayManageMember, ROLES, type Role } from '../../../domain/roles.js';
import {
  MemberPage,
  RemoveMemberPage,
  type MemberData,
  TeamPage,
  type TeamData,
} from '../../../../views/pages/team.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { formFields, pageContext, render, setFlash } from '../../render.js';
import { redirectTo } from '../../session.js';

/**
 * The team (owners and admins): members with their roles, clients and sign-in; pending invitations; inviting,
 * changing and removing. The members service decides who may do what; these pages only hide what it would refuse.
 */
export function teamRoutes(deps: AppDeps) {
  const { members } = deps.services;
  const app = new Hono<AppEnv>();

  /** The roles the signed-in member may give. */
  const grantable = (c: Context<AppEnv>): Role[] =>
    ROLES.filter((role) => mayManageMember(accessOf(c.var.actor).role, role));
  const clients = () => deps.repos.clients.options().map(({ id, name }) => ({ id, name }));
  const ip = (c: Context<AppEnv>) => ({ ip: c.var.clientAddress });

  function teamPage(c: Context<AppEnv>, extra: Partial<TeamData> = {}, status: 200 | 422 = 200) {
    const actor = c.var.actor;
    return render(
      c,
      <TeamPage
        page={pageContext(c)}
        data={{
          members: members.list(actor),
          invites: members.pendingInvites(actor),
          clients: clients(),
          selfId: c.var.session!.admin!.id,
          grantable: grantable(c),
          created: null,
          ...extra,
        }}
      />,
      status,
    );
  }

  function memberPage(c: Context<AppEnv>, id: string, extra: Partial<MemberData> = {}, status: 200 | 422 = 200) {
    const member = members.get(c.var.actor, id);
    // An admin may look at an owner in the list, not open the form that would change them.
    if (!grantable(c).includes(member.role)) throw new ForbiddenError('Only an owner may manage owners.');
    const data: MemberData = { member, clients: clients(), grantable: grantable(c), ...extra };
    return render(c, <MemberPage page={pageContext(c)} data={data} />, status);
  }

  /** A refusal the person can act on re-renders the form with it; a missing member stays a 404. */
  function failed(err: unknown): err is HeraldError {
    return err instanceof HeraldError && err.code !== 'not_found' && err.code !== 'forbidden';
  }

  app.get('/team', (c) => teamPage(c));

  app.post('/team/invites', async (c) => {
    const form = await formFields(c);
    const values = { email: form.one('email'), role: form.one('role'), clientIds: form.many('clientIds') };
    try {
      const { invite, url, emailed } = members.invite(c.var.actor, values, ip(c));
      // The link is shown on this answer only (not after a redirect): it is never stored.
      c.header('HX-Push-Url', '/team');
      return teamPage(c, { created: { email: invite.email, url, emailed } });
    } catch (err) {
      if (!failed(err)) throw err;
      c.header('HX-Push-Url', 'false');
      const errors = err instanceof ValidationError ? err.fields : {};
      return teamPage(c, { values, errors, message: err instanceof ValidationError ? undefined : err.message }, 422);
    }
  });

  app.post('/team/invites/:inviteId/revoke', (c) => {
    const invite = members.revokeInvite(c.var.actor, c.req.param('inviteId'), ip(c));
    setFlash(c, 'ok', `The invitation of ${invite.email} was withdrawn; its link no longer works.`);
    return redirectTo(c, '/team');
  });

  app.get('/team/:id', (c) => memberPage(c, c.req.param('id')));

  app.post('/team/:id', async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c);
    const values = { role: form.one('role'), clientIds: form.many('clientIds') };
    try {
      const member = members.update(c.var.actor, id, values, ip(c));
      setFlash(c, 'ok', `Saved ${member.email}.`);
      return redirectTo(c, '/team');
    } catch (err) {
      if (!failed(err)) throw err;
      c.header('HX-Push-Url', 'false');
      const errors = err instanceof ValidationError ? err.fields : {};
      return memberPage(
        c,
        id,
        { values, errors, message: err instanceof ValidationError ? undefined : err.message },
        422,
      );
    }
  });

  app.get('/team/:id/remove', (c) => {
    const member = members.get(c.var.actor, c.req.param('id'));
    if (!grantable(c).includes(member.role)) throw new ForbiddenError('Only an owner may manage owners.');
    const holdings = members.holdings(c.var.actor, member.id);
    return render(c, <RemoveMemberPage page={pageContext(c)} member={member} holdings={holdings} />);
  });

  app.post('/team/:id/remove', (c) => {
    const id = c.req.param('id');
    try {
      const removed = members.remove(c.var.actor, { id }, ip(c));
      setFlash(c, 'ok', `${removed.email} was removed; they are signed out and their API tokens no longer work.`);
      return redirectTo(c, '/team');
    } catch (err) {
      if (!failed(err)) throw err;
      c.header('HX-Push-Url', 'false');
      return memberPage(c, id, { message: err.message }, 422);
    }
  });

  return app;
}
