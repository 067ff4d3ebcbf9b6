import { z } from 'zod';
import type { Config } from '../config.js';
import { type Actor, accessOf, memberIdOf } from '../domain/actor.js';
import { changedFields } from '../domain/audit.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import { accessFor, mayManageMember, ROLE_LABELS, ROLES, type Role, seesAllClients } from '../domain/roles.js';
import type { AdminRow, MemberInviteRow, SessionRow } from '../db/repos/index.js';
import { sha256, Signer } from '../lib/crypto.js';
import { newId } from '../lib/ids.js';
import { hashPassword } from '../lib/passwords.js';
import { moduleLogger } from '../log.js';
import { EMAIL, emailTarget } from '../notify/email-router.js';
import { authorize } from './access.js';
import { recordAudit } from './audit.js';
import type { AuthService, SignInMeta } from './auth-service.js';
import type { ServiceDeps } from './deps.js';
import { emitEvent } from './events.js';

const DAY = 86_400_000;
/** How long an invitation link works. */
export const MEMBER_INVITE_DAYS = 7;

const roleSchema = z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` });
const clientIdsSchema = z
  .array(z.string().trim().min(1, 'must be client ids'), { message: 'must be a list of client ids' })
  .max(1000, 'is too long')
  .transform((ids) => [...new Set(ids)].sort());

const inviteSchema = z.object({
  email: z.string({ message: 'is required' }).trim().toLowerCase().email('must be an email address').max(320),
  role: roleSchema,
  clientIds: clientIdsSchema.default([]),
});

const changeSchema = z
  .object({ role: roleSchema.optional(), clientIds: clientIdsSchema.optional() })
  .refine((v) => v.role !== undefined || v.clientIds !== undefined, { message: 'give a role, clientIds or both' });

const joinSchema = z.object({
  name: z.string().trim().max(200, 'must be at most 200 characters').default(''),
  password: z.string().min(10, 'must be at least 10 characters').max(1000, 'is too long'),
});

const INVITE_PURPOSE = 'member-invite';

/** An invitation's join link (`$PUBLIC_URL/join/<secret>`), the same each time it is made. */
export function memberInviteLink(config: Pick<Config, 'secretKey' | 'publicUrl'>, inviteId: string): string {
  return `${config.publicUrl}/join/${new Signer(config.secretKey, INVITE_PURPOSE).sign(inviteId)}`;
}

/** "an Editor for Acme Bakery, Bravo", "an Admin": what an invitation or a member's role grants, in words. */
export function roleText(role: Role, clientNames: readonly string[]): string {
  const label = ROLE_LABELS[role];
  const article = /^[AEIOU]/.test(label) ? 'an' : 'a';
  if (seesAllClients(role)) return `${article} ${label}`;
  const names = [...clientNames].sort((a, b) => a.localeCompare(b));
  return names.length ? `${article} ${label} for ${names.join(', ')}` : `${article} ${label}`;
}

/** A team member as the pages and the API show them. */
export interface Member {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  /** Assigned clients (editors and viewers); null: every client. */
  readonly clientIds: readonly string[] | null;
  readonly twoFactor: { readonly totp: boolean; readonly passkeys: number };
  readonly singleSignOn: boolean;
  readonly lastLoginAt: number | null;
  readonly createdAt: number;
}

/** The person a single sign-on provider vouched for, when they come back to accept an invitation. */
export interface SsoIdentity {
  /** `<issuer> <sub>`, as admins.oidc_subject keeps it. */
  readonly subject: string;
  /** Verified by the provider, lower case; null when it shared none or did not verify it. */
  readonly email: string | null;
  readonly name: string;
}

/**
 * The team: invitations, joining, roles, client assignment and removal. Every change is checked against the actor's
 * role (`mayManageMember`: owners manage everyone, admins everyone but owners), written with its audit entry in one
 * transaction, and never leaves the team without an owner.
 *
 * An invitation's link secret is the invitation id signed with a key derived from SECRET_KEY: only its hash is
 * stored, yet the mail sent later by the delivery loop can carry the same link the inviter was shown to copy.
 */
export function membersService(deps: ServiceDeps, auth: AuthService) {
  const { repos, clock, database, config } = deps;
  const log = moduleLogger(deps.log, 'members');
  const links = new Signer(config.secretKey, INVITE_PURPOSE);
  const secretOf = (inviteId: string) => links.sign(inviteId);
  const linkOf = (inviteId: string) => memberInviteLink(config, inviteId);

  function memberOf(row: AdminRow, assigned: readonly string[]): Member {
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      clientIds: seesAllClients(row.role) ? null : assigned,
      twoFactor: { totp: row.totpEnabledAt !== null, passkeys: repos.members.passkeyCount(row.id) },
      singleSignOn: row.oidcSubject !== null,
      lastLoginAt: row.lastLoginAt,
      createdAt: row.createdAt,
    };
  }

  function load(id: string): AdminRow {
    const row = repos.auth.getAdmin(id);
    if (!row) throw new NotFoundError('Team member');
    return row;
  }

  /** The clients an editor or viewer gets: each must exist; owners and admins get none (they see all). */
  function checkedClients(role: Role, clientIds: readonly string[]): string[] {
    if (seesAllClients(role)) return [];
    const unknown = clientIds.filter((id) => !repos.clients.get(id));
    if (unknown.length) throw ValidationError.field('clientIds', `unknown client: ${unknown.join(', ')}`);
    return [...clientIds];
  }

  /** May this actor give or take `role`? Owners are made, changed and removed by owners only. */
  function mayTouch(actor: Actor, role: Role): void {
    if (!mayManageMember(accessOf(actor).role, role)) throw new ForbiddenError('Only an owner may manage owners.');
  }

  function clientNames(ids: readonly string[]): string {
    return ids
      .map((id) => repos.clients.get(id)?.name ?? id)
      .sort((a, b) => a.localeCompare(b))
      .join(', ');
  }

  function roleLine(role: Role, clientIds: readonly string[]): string {
    if (seesAllClients(role)) return ROLE_LABELS[role];
    return clientIds.length
      ? `${ROLE_LABELS[role]} for ${clientNames(clientIds)}`
      : `${ROLE_LABELS[role]} (no clients yet)`;
  }

  function lastOwnerGuard(target: AdminRow, what: string): void {
    if (target.role === 'owner' && repos.members.countOwners() <= 1)
      throw new ConflictError(`${target.email} is the only owner and cannot be ${what}; make another owner first.`);
  }

  /** A usable invitation behind a link's secret, or a clear reason why not. */
  function usable(secret: string): MemberInviteRow {
    const invite = repos.members.inviteByHash(sha256(secret));
    if (!invite || invite.revokedAt !== null) throw new NotFoundError('Invitation');
    if (invite.acceptedAt !== null) throw new ConflictError('This invitation was used already; sign in instead.');
    if (invite.expiresAt <= clock.now())
      throw new ConflictError('This invitation has expired. Ask whoever invited you for a new one.');
    if (repos.auth.adminByEmail(invite.email))
      throw new ConflictError(`${invite.email} is already a team member; sign in instead.`);
    return invite;
  }

  /** Inside the joining transaction: the invitation is spent, the member made, and the trail says so. */
  function join(invite: MemberInviteRow, row: AdminRow, ip: string | null): AdminRow {
    const now = clock.now();
    if (!repos.members.updateInvite(invite.id, { acceptedAt: now })) throw new NotFoundError('Invitation');
    repos.auth.insertAdmin(row);
    const clientIds = checkedClients(
      row.role,
      invite.clientIds.filter((id) => repos.clients.get(id)),
    );
    repos.auth.setMemberClients(row.id, clientIds);
    repos.members.revokeOpenInvitesOf(invite.email, now);
    const self: Actor = { kind: 'admin', id: row.id, email: row.email, access: accessFor(row.role, clientIds) };
    recordAudit(deps, self, {
      kind: 'member.join',
      targetId: row.id,
      summary: `${row.email} joined as ${roleLine(row.role, clientIds)}`,
      after: { email: row.email, role: row.role, clientIds, via: row.oidcSubject ? 'sso' : 'password' },
      ip,
    });
    return row;
  }

  function newMember(invite: MemberInviteRow, fields: Partial<AdminRow>): AdminRow {
    return {
      id: newId('adm', clock.now()),
      email: invite.email,
      name: '',
      passwordHash: null,
      oidcSubject: null,
      createdAt: clock.now(),
      lastLoginAt: clock.now(),
      timezone: 'UTC',
      digestHour: 8,
      role: invite.role,
      totpSecret: null,
      totpEnabledAt: null,
      recoveryCodes: null,
      webauthnUserId: null,
      ...fields,
    };
  }

  return {
    /** The join link of an invitation (`$PUBLIC_URL/join/<secret>`). */
    linkOf,

    list(actor: Actor): Member[] {
      authorize(actor, 'member.manage');
      const assigned = repos.members.assignments();
      return repos.auth.listAdmins().map((row) => memberOf(row, assigned.get(row.id) ?? []));
    },

    get(actor: Actor, id: string): Member {
      authorize(actor, 'member.manage');
      return memberOf(load(id), repos.auth.memberClientIds(id));
    },

    /** Invitations not yet accepted, revoked or expired. */
    pendingInvites(actor: Actor): MemberInviteRow[] {
      authorize(actor, 'member.manage');
      return repos.members.pendingInvites(clock.now());
    },

    /**
     * Invites someone (`{email, role, clientIds}`). The link is returned to be shown once; with SMTP configured it
     * is also mailed, queued in the outbox in this same transaction so the mail cannot be lost (the delivery loop
     * retries it). A newer invitation to the same address replaces an open one.
     */
    invite(
      actor: Actor,
      input: unknown,
      meta: { ip?: string | null } = {},
    ): { invite: MemberInviteRow; url: string; emailed: boolean } {
      authorize(actor, 'member.manage');
      const data = parseInput(inviteSchema, input);
      mayTouch(actor, data.role);
      const emailed = config.smtp !== null;
      const invite = database.immediate(() => {
        if (repos.auth.adminByEmail(data.email)) throw ValidationError.field('email', 'is already a team member');
        const clientIds = checkedClients(data.role, data.clientIds);
        const now = clock.now();
        repos.members.revokeOpenInvitesOf(data.email, now);
        const id = newId('minv', now);
        const row: MemberInviteRow = {
          id,
          email: data.email,
          role: data.role,
          clientIds,
          tokenHash: sha256(secretOf(id)),
          invitedBy: memberIdOf(actor),
          createdAt: now,
          expiresAt: now + MEMBER_INVITE_DAYS * DAY,
          acceptedAt: null,
          revokedAt: null,
        };
        repos.members.insertInvite(row);
        if (emailed) {
          // Addressed to the invitee alone: marked fanned out, with its one delivery made here.
          const event = emitEvent(deps, 'member.invited', null, {
            title: 'Teammate invited',
            inviteId: id,
            role: data.role,
          });
          repos.events.markFannedOut(event.id, now);
          repos.notify.insertDelivery({
            id: newId('dlv', now),
            eventId: event.id,
            channel: EMAIL,
            target: emailTarget({ kind: 'invite', inviteId: id }),
            bundle: null,
            status: 'pending',
            attempts: 0,
            dueAt: now,
            expiresAt: row.expiresAt,
            lastAttemptAt: null,
            responseStatus: null,
            responseBody: null,
            lastError: null,
            deliveredAt: null,
            createdAt: now,
          });
        }
        recordAudit(deps, actor, {
          kind: 'member.invite',
          targetId: id,
          summary: `Invited ${data.email} as ${roleLine(data.role, clientIds)}`,
          after: { email: data.email, role: data.role, clientIds },
          ip: meta.ip ?? null,
        });
        return row;
      });
      log.info({ inviteId: invite.id, role: invite.role, emailed }, 'teammate invited');
      return { invite, url: linkOf(invite.id), emailed };
    },

    revokeInvite(actor: Actor, inviteId: string, meta: { ip?: string | null } = {}): MemberInviteRow {
      authorize(actor, 'member.manage');
      return database.immediate(() => {
        const invite = repos.members.getInvite(inviteId);
        if (!invite || invite.acceptedAt !== null || invite.revokedAt !== null) throw new NotFoundError('Invitation');
        mayTouch(actor, invite.role);
        repos.members.updateInvite(invite.id, { revokedAt: clock.now() });
        recordAudit(deps, actor, {
          kind: 'member.invite_revoke',
          targetId: invite.id,
          summary: `Withdrew the invitation of ${invite.email}`,
          before: { email: invite.email, role: invite.role, clientIds: invite.clientIds },
          ip: meta.ip ?? null,
        });
        return invite;
      });
    },

    /** The invitation behind a join link (for the join page), or why it cannot be used. */
    openInvite(secret: string): MemberInviteRow {
      return usable(secret);
    },

    /** Joins by setting a name and a password; the new member is signed in. */
    async acceptWithPassword(
      secret: string,
      input: { name?: string; password?: string; confirmPassword?: string },
      meta?: SignInMeta,
    ): Promise<{ member: AdminRow; cookie: string; session: SessionRow }> {
      usable(secret);
      const data = parseInput(joinSchema, { name: input.name, password: input.password ?? '' });
      if (input.confirmPassword !== undefined && input.confirmPassword !== data.password)
        throw ValidationError.field('confirmPassword', 'does not match the password');
      const passwordHash = await hashPassword(data.password);
      // Checked again inside the transaction: two tabs may race for the same link.
      const member = database.immediate(() => {
        const invite = usable(secret);
        return join(invite, newMember(invite, { name: data.name, passwordHash }), meta?.address ?? null);
      });
      log.info({ adminId: member.id, role: member.role }, 'teammate joined');
      const how = { authMethod: 'password' as const, ...(meta ? { meta } : {}) };
      return { member, ...auth.createSession('admin', { adminId: member.id }, Number.POSITIVE_INFINITY, how) };
    },

    /**
     * Joins through single sign-on (the OIDC callback, with the link's secret it carried): the provider's verified
     * email must be the invited address, and its identity is linked to the new member. Returns the member; the
     * caller opens the session.
     */
    acceptWithSso(secret: string, identity: SsoIdentity): AdminRow {
      const member = database.immediate(() => {
        const invite = usable(secret);
        if (identity.email !== invite.email)
          throw new ConflictError(
            `The invitation is for ${invite.email}, but the sign-on provider signed you in as ` +
              `${identity.email ?? 'someone without a verified email'}. Sign in there as ${invite.email}, ` +
              'or join with a password.',
          );
        const holder = repos.auth.adminBySubject(identity.subject);
        if (holder) throw new ConflictError(`This sign-on identity already belongs to ${holder.email}.`);
        const fields = { name: identity.name.slice(0, 200), oidcSubject: identity.subject };
        return join(invite, newMember(invite, fields), null);
      });
      log.info({ adminId: member.id, role: member.role }, 'teammate joined through single sign-on');
      return member;
    },

    /** Changes a member's role and/or clients (`{role?, clientIds?}`). */
    update(actor: Actor, id: string, input: unknown, meta: { ip?: string | null } = {}): Member {
      authorize(actor, 'member.manage');
      const data = parseInput(changeSchema, input);
      return database.immediate(() => {
        const target = load(id);
        mayTouch(actor, target.role);
        const role = data.role ?? target.role;
        const before = repos.auth.memberClientIds(id);
        if (role !== target.role) {
          if (memberIdOf(actor) === id) throw new ConflictError('You cannot change your own role; another owner can.');
          mayTouch(actor, role);
          lastOwnerGuard(target, 'given another role');
          repos.auth.updateAdmin(id, { role });
          recordAudit(deps, actor, {
            kind: 'member.role',
            targetId: id,
            summary: `Changed ${target.email} from ${ROLE_LABELS[target.role]} to ${ROLE_LABELS[role]}`,
            before: { role: target.role },
            after: { role },
            ip: meta.ip ?? null,
          });
        }
        const after = checkedClients(role, data.clientIds ?? before);
        const diff = changedFields({ clientIds: before }, { clientIds: after });
        if (diff) {
          repos.auth.setMemberClients(id, after);
          recordAudit(deps, actor, {
            kind: 'member.clients',
            targetId: id,
            summary: after.length
              ? `Assigned ${target.email} to ${clientNames(after)}`
              : `Took every client away from ${target.email}`,
            ...diff,
            ip: meta.ip ?? null,
          });
        }
        return memberOf(load(id), after);
      });
    },

    /**
     * Removes a member: the row goes, and with it (foreign keys) their sessions, API tokens, passkeys and client
     * assignments, in one transaction, so they are out on their very next request. Never the last owner; never
     * yourself (another owner or admin does it).
     */
    remove(actor: Actor, target: { id: string } | { email: string }, meta: { ip?: string | null } = {}): AdminRow {
      authorize(actor, 'member.manage');
      return database.immediate(() => {
        const row =
          'id' in target ? repos.auth.getAdmin(target.id) : repos.auth.adminByEmail(target.email.trim().toLowerCase());
        if (!row)
          throw new NotFoundError(
            'id' in target ? 'Team member' : `A team member with the email ${target.email.trim()}`,
          );
        mayTouch(actor, row.role);
        if (memberIdOf(actor) === row.id) throw new ConflictError('You cannot remove yourself; another admin can.');
        lastOwnerGuard(row, 'removed');
        const holdings = repos.members.holdings(row.id);
        recordAudit(deps, actor, {
          kind: 'member.remove',
          targetId: row.id,
          summary: `Removed ${row.email} (${ROLE_LABELS[row.role]})`,
          before: { email: row.email, role: row.role, clientIds: repos.auth.memberClientIds(row.id), ...holdings },
          ip: meta.ip ?? null,
        });
        repos.auth.deleteSessionsOfAdmin(row.id);
        repos.auth.deleteAdmin(row.id);
        log.info({ adminId: row.id, ...holdings }, 'teammate removed');
        return row;
      });
    },

    /** Sessions and live tokens a member holds (what removing them ends). */
    holdings(actor: Actor, id: string): { sessions: number; tokens: number } {
      authorize(actor, 'member.manage');
      return repos.members.holdings(load(id).id);
    },
  };
}
export type MembersService = ReturnType<typeof membersService>;
