import { SYSTEM, type Actor } from '../domain/actor.js';
import { createClientSchema, updateClientSchema, type ClientStatus } from '../domain/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { ClientRow, InviteRow, Page } from '../db/repos/index.js';
import { MAX_PAGE_SIZE } from '../db/repos/pagination.js';
import { sha256 } from '../lib/crypto.js';
import { newId, randomSecret } from '../lib/ids.js';
import { editOf, recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import type { PostsService } from './posts-service.js';

export const INVITE_DEFAULT_DAYS = 7;
const DAY = 86_400_000;

/** Where a single-use sign-in link may land: a page of the portal, nothing else. */
const LANDINGS = ['/portal', '/portal/posts', '/portal/results'] as const;
export type InviteLanding = (typeof LANDINGS)[number];

/**
 * Stores a new portal link for a client and returns its URL (only the hash of its secret is kept).
 * `singleUse` links are the ones mailed to client contacts: they open one session and then stop
 * working, and land on `landing` instead of the portal's front page.
 */
export function issueInvite(
  deps: Pick<ServiceDeps, 'repos' | 'clock' | 'config'>,
  clientId: string,
  options: { days?: number; singleUse?: boolean; landing?: InviteLanding } = {},
): { url: string; invite: InviteRow } {
  const secret = randomSecret(32);
  const now = deps.clock.now();
  const invite: InviteRow = {
    id: newId('inv', now),
    clientId,
    tokenHash: sha256(secret),
    singleUse: options.singleUse ?? false,
    landing: options.landing && LANDINGS.includes(options.landing) ? options.landing : null,
    usedAt: null,
    createdAt: now,
    expiresAt: now + (options.days ?? INVITE_DEFAULT_DAYS) * DAY,
    revokedAt: null,
    lastUsedAt: null,
  };
  deps.repos.clients.insertInvite(invite);
  return { url: `${deps.config.publicUrl}/invite/${secret}`, invite };
}

export function clientsService(deps: ServiceDeps, posts: PostsService) {
  const { repos, clock, database } = deps;

  function load(id: string): ClientRow {
    const client = repos.clients.get(id);
    if (!client) throw new NotFoundError('Client');
    return client;
  }

  function archive(id: string, actor: Actor): ClientRow {
    const client = load(id);
    if (client.status === 'archived') return client;
    const now = clock.now();
    // The client's access ends with it: its invite links stop working and its portal sessions
    // end, for good (restoring the client revives neither; send a new invite).
    database.immediate(() => {
      repos.clients.update(id, { status: 'archived', updatedAt: now });
      repos.clients.revokeInvitesOf(id, now);
      repos.auth.deleteSessionsOfClient(id);
      recordAudit(deps, actor, {
        kind: 'client.archive',
        clientId: id,
        targetId: id,
        summary: `Archived ${client.name}`,
        before: { status: client.status },
        after: { status: 'archived' },
      });
    });
    posts.cancelUnpublishedOfClient(id, actor, 'the client was archived');
    return load(id);
  }

  return {
    get: load,

    list(filter: {
      status?: string | undefined;
      q?: string | undefined;
      cursor?: string | undefined;
      limit: number;
      order?: 'created' | 'name';
      excludeArchived?: boolean;
      /** Only these clients (a member's assigned clients). */
      ids?: readonly string[] | undefined;
    }): Page<ClientRow> {
      const statuses: readonly string[] = ['invited', 'active', 'paused', 'archived'];
      if (filter.status && !statuses.includes(filter.status))
        throw ValidationError.field('status', 'must be invited, active, paused or archived');
      return repos.clients.list({
        status: filter.status as ClientStatus | undefined,
        q: filter.q?.trim() || undefined,
        ids: filter.ids,
        order: filter.order ?? 'created',
        excludeArchived: filter.excludeArchived ?? false,
        cursor: filter.cursor,
        limit: Math.min(filter.limit, MAX_PAGE_SIZE),
      });
    },

    create(input: unknown, actor: Actor = SYSTEM): ClientRow {
      const data = parseInput(createClientSchema, input);
      const now = clock.now();
      const row: ClientRow = {
        id: newId('cli', now),
        status: 'invited',
        createdAt: now,
        updatedAt: now,
        guidance: '',
        guidanceUpdatedAt: null,
        ...data,
      };
      database.immediate(() => {
        repos.clients.insert(row);
        recordAudit(deps, actor, {
          kind: 'client.create',
          clientId: row.id,
          targetId: row.id,
          summary: `Created client ${row.name}`,
          after: { name: row.name },
        });
      });
      return row;
    },

    update(id: string, input: unknown, actor: Actor = SYSTEM): ClientRow {
      const data = parseInput(updateClientSchema, input);
      const before = load(id);
      const { status, ...fields } = data;
      const edit = (patch: Partial<ClientRow>) =>
        database.immediate(() => {
          repos.clients.update(id, { ...patch, updatedAt: clock.now() });
          const after = load(id);
          const diff = editOf(before, after);
          if (diff.after)
            recordAudit(deps, actor, {
              kind: 'client.update',
              clientId: id,
              targetId: id,
              summary: `Edited ${after.name}`,
              ...diff,
            });
        });
      if (status === 'archived') {
        if (Object.keys(fields).length) edit(fields);
        return archive(id, actor);
      }
      edit({ ...fields, ...(status ? { status } : {}) });
      return load(id);
    },

    /** DELETE /clients/:id: archive, cancelling what has not been published. */
    archive,

    /** A single-client onboarding link. Only its hash is stored; the URL is shown once. */
    createInvite(
      clientId: string,
      days = INVITE_DEFAULT_DAYS,
      actor: Actor = SYSTEM,
    ): { url: string; expiresAt: number; invite: InviteRow } {
      const client = load(clientId);
      if (client.status === 'archived') throw new ConflictError('This client is archived; restore it before inviting.');
      const { url, invite } = database.immediate(() => {
        const issued = issueInvite(deps, clientId, { days });
        recordAudit(deps, actor, {
          kind: 'client.invite',
          clientId,
          targetId: issued.invite.id,
          summary: `Made a portal link for ${client.name} (valid ${days} days)`,
        });
        return issued;
      });
      return { url, expiresAt: invite.expiresAt, invite };
    },

    /** The links an admin made (the single-use ones Herald mails to contacts are not listed). */
    invites(clientId: string): InviteRow[] {
      load(clientId);
      return repos.clients.invitesOf(clientId).filter((invite) => !invite.singleUse);
    },

    /** Revoking an invite also ends the portal sessions opened with it. */
    revokeInvite(clientId: string, inviteId: string, actor: Actor = SYSTEM): void {
      const invite = repos.clients.getInvite(inviteId);
      if (!invite || invite.clientId !== clientId) throw new NotFoundError('Invite');
      database.immediate(() => {
        repos.clients.updateInvite(inviteId, { revokedAt: clock.now() });
        repos.auth.deleteSessionsOfInvite(inviteId);
        recordAudit(deps, actor, {
          kind: 'client.invite_revoke',
          clientId,
          targetId: inviteId,
          summary: `Revoked a portal link of ${load(clientId).name}`,
        });
      });
    },
  };
}
