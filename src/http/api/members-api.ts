// The team (README.md#json-api): members with their roles and clients, and invitations. Owners and admins only
// (the members service checks the token creator's role); scope `admin`.
import { Hono } from 'hono';
import type { MemberInviteRow } from '../../db/repos/index.js';
import { ValidationError } from '../../domain/errors.js';
import type { Member } from '../../services/members-service.js';
import type { AppDeps, AppEnv } from '../context.js';
import { iso } from './dto.js';
import { readJson } from './helpers.js';

function memberDto(m: Member) {
  return {
    id: m.id,
    email: m.email,
    name: m.name,
    role: m.role,
    // null: every client (owners and admins).
    clientIds: m.clientIds,
    twoFactor: m.twoFactor,
    singleSignOn: m.singleSignOn,
    lastLoginAt: iso(m.lastLoginAt),
    createdAt: iso(m.createdAt),
  };
}

function inviteDto(i: MemberInviteRow) {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    clientIds: i.clientIds,
    createdAt: iso(i.createdAt),
    expiresAt: iso(i.expiresAt),
  };
}

function objectOf(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError({ body: ['must be a JSON object'] }, 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** An invitation's id (`minv_…`) where a member's id goes: DELETE withdraws the invitation. */
const isInviteId = (id: string) => id.startsWith('minv_');

export function membersApi(deps: AppDeps) {
  const { members } = deps.services;
  const meta = (ip: string) => ({ ip });
  return new Hono<AppEnv>()
    .get('/', (c) => {
      const actor = c.var.actor;
      return c.json({
        data: members.list(actor).map(memberDto),
        invites: members.pendingInvites(actor).map(inviteDto),
        nextCursor: null,
      });
    })
    .post('/', async (c) => {
      const body = objectOf(await readJson(c));
      const { invite, url, emailed } = members.invite(c.var.actor, body, meta(c.var.clientAddress));
      return c.json({ ...inviteDto(invite), url, emailed }, 201);
    })
    .patch('/:id', async (c) => {
      const { email, ...change } = objectOf(await readJson(c));
      const id = c.req.param('id');
      // The address is who the person is (their sign-in): a new one is a new invitation, not an edit.
      if (email !== undefined && String(email).trim().toLowerCase() !== members.get(c.var.actor, id).email)
        throw ValidationError.field('email', 'cannot be changed; invite the new address instead');
      const member = members.update(c.var.actor, id, change, meta(c.var.clientAddress));
      return c.json(memberDto(member));
    })
    .delete('/:id', (c) => {
      const id = c.req.param('id');
      if (isInviteId(id)) members.revokeInvite(c.var.actor, id, meta(c.var.clientAddress));
      else members.remove(c.var.actor, { id }, meta(c.var.clientAddress));
      return c.body(null, 204);
    });
}
