import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { waitingOf } from '../domain/post.js';
import { postingTimesSchema } from '../domain/queue.js';
import { parseInput } from '../domain/validation.js';
import type { AccountRow } from '../db/repos/index.js';
import { newId } from '../lib/ids.js';
import type { PublishAccount } from '../platforms/types.js';
import { editOf, recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { notices } from './notices.js';
import type { Scope } from './posts-service.js';
import { moduleLogger } from '../log.js';
import { authorize } from './access.js';

export interface ConnectAccountInput {
  clientId: string;
  platform: AccountRow['platform'];
  externalId: string;
  name: string;
  username?: string | null;
  accessToken: string;
  refreshToken?: string | null;
  tokenExpiresAt?: number | null;
  refreshExpiresAt?: number | null;
  scopes: readonly string[];
  parentAccountId?: string | null;
  platformData?: Record<string, unknown>;
}

export interface AccountTokens {
  accessToken: string;
  refreshToken: string | null;
}

/** Associated data for a sealed token: the row and the column, so sealed values cannot be swapped. */
function aad(accountId: string, column: 'access' | 'refresh'): string {
  return `accounts:${accountId}:${column}`;
}

const patchAccountSchema = z
  .object({
    status: z.enum(['connected', 'disabled'], { message: 'must be connected or disabled' }).optional(),
    postingTimes: postingTimesSchema.optional(),
  })
  .strict()
  .refine((v) => v.status !== undefined || v.postingTimes !== undefined, {
    message: 'send status or postingTimes',
    path: ['_'],
  });

export function accountsService(deps: ServiceDeps) {
  const { repos, clock, box, database } = deps;
  const log = moduleLogger(deps.log, 'accounts');
  const notice = notices(deps);

  function load(id: string, scope: Scope = {}): AccountRow {
    const account = repos.accounts.get(id);
    if (!account || (scope.clientId && account.clientId !== scope.clientId)) throw new NotFoundError('Account');
    return account;
  }

  /** The decrypted tokens of an account, for its platform client only; never logged or returned. */
  function tokens(account: AccountRow): AccountTokens {
    if (!account.accessTokenEnc) throw new ConflictError('This account has no tokens; reconnect it.');
    return {
      accessToken: box.decrypt(account.accessTokenEnc, aad(account.id, 'access')),
      refreshToken: account.refreshTokenEnc ? box.decrypt(account.refreshTokenEnc, aad(account.id, 'refresh')) : null,
    };
  }

  function insightsBlockedFor(
    platform: AccountRow['platform'],
    scopes: readonly string[],
    platformData: Readonly<Record<string, unknown>>,
  ): string | null {
    const missing = deps.networks.missingInsightScopes(platform, scopes.join(','), platformData);
    return missing ? `reconnect to see results (missing permission: ${missing.join(', ')})` : null;
  }

  return {
    get: load,

    /**
     * Connects (or reconnects) an account after OAuth: tokens sealed at rest, status connected,
     * old errors and pauses cleared. A client's first connected account makes it active.
     */
    connect(input: ConnectAccountInput, actor: Actor = SYSTEM): AccountRow {
      const now = clock.now();
      return database.immediate(() => {
        const existing = repos.accounts.find(input.clientId, input.platform, input.externalId);
        const id = existing?.id ?? newId('acc', now);
        const sealed = {
          accessTokenEnc: box.encrypt(input.accessToken, aad(id, 'access')),
          refreshTokenEnc: input.refreshToken ? box.encrypt(input.refreshToken, aad(id, 'refresh')) : null,
        };
        const fields = {
          name: input.name,
          username: input.username ?? null,
          status: 'connected' as const,
          ...sealed,
          tokenExpiresAt: input.tokenExpiresAt ?? null,
          refreshExpiresAt: input.refreshExpiresAt ?? null,
          scopes: input.scopes.join(','),
          parentAccountId: input.parentAccountId ?? null,
          platformData: JSON.stringify({
            ...(existing ? (JSON.parse(existing.platformData) as object) : {}),
            ...input.platformData,
          }),
          pausedUntil: null,
          pauseReason: null,
          lastRefreshedAt: now,
          lastError: null,
          // Accounts connected before results asked for their scopes cannot be read until reconnected.
          insightsBlocked: insightsBlockedFor(input.platform, input.scopes, input.platformData ?? {}),
          updatedAt: now,
        };
        if (existing) repos.accounts.update(id, fields);
        else
          repos.accounts.insert({
            id,
            clientId: input.clientId,
            platform: input.platform,
            externalId: input.externalId,
            createdAt: now,
            postingTimes: [],
            ...fields,
          });
        // Posts that were waiting for this reconnect can go again.
        repos.posts.noteWaiting(id, null, now);
        const client = repos.clients.get(input.clientId);
        if (client?.status === 'invited') repos.clients.update(client.id, { status: 'active', updatedAt: now });
        const account = repos.accounts.get(id)!;
        notice.accountConnected(account, existing !== undefined);
        recordAudit(deps, actor, {
          kind: 'account.connect',
          clientId: input.clientId,
          targetId: id,
          summary: `${existing ? 'Reconnected' : 'Connected'} ${input.platform} account ${input.name}`,
          before: existing ? { status: existing.status } : null,
          after: { status: account.status },
        });
        return account;
      });
    },

    tokens,

    /** The account as a platform client sees it: its identity, platform data and decrypted tokens. */
    forPlatform(account: AccountRow): PublishAccount {
      const { accessToken, refreshToken } = tokens(account);
      return {
        id: account.id,
        platform: account.platform,
        externalId: account.externalId,
        name: account.name,
        platformData: JSON.parse(account.platformData) as Record<string, unknown>,
        accessToken,
        refreshToken,
        tokenExpiresAt: account.tokenExpiresAt,
      };
    },

    /** Stores refreshed tokens in one commit (TikTok rotates refresh tokens: the new pair must land before use). */
    storeTokens(
      id: string,
      tokens: {
        accessToken: string;
        refreshToken?: string | null;
        tokenExpiresAt: number | null;
        refreshExpiresAt?: number | null;
        scopes?: readonly string[];
      },
    ): AccountRow {
      const now = clock.now();
      database.immediate(() => {
        const account = load(id);
        repos.accounts.update(id, {
          accessTokenEnc: box.encrypt(tokens.accessToken, aad(id, 'access')),
          ...(tokens.refreshToken !== undefined
            ? { refreshTokenEnc: tokens.refreshToken ? box.encrypt(tokens.refreshToken, aad(id, 'refresh')) : null }
            : {}),
          tokenExpiresAt: tokens.tokenExpiresAt,
          ...(tokens.refreshExpiresAt !== undefined ? { refreshExpiresAt: tokens.refreshExpiresAt } : {}),
          ...(tokens.scopes ? { scopes: tokens.scopes.join(',') } : {}),
          lastRefreshedAt: now,
          lastError: null,
          status: account.status === 'needs_reauth' ? 'connected' : account.status,
          updatedAt: now,
        });
      });
      return load(id);
    },

    /** The platform no longer accepts the account's tokens: a person must reconnect it. */
    markNeedsReauth(id: string, reason: string): AccountRow {
      const { account, changed } = database.immediate(() => {
        const before = load(id);
        repos.accounts.update(id, { status: 'needs_reauth', lastError: reason, updatedAt: clock.now() });
        const after = load(id);
        repos.posts.noteWaiting(id, waitingOf(after), clock.now());
        // Told once when it breaks, not again on every refused refresh or publish after that.
        if (before.status !== 'needs_reauth') notice.accountNeedsReauth(after, reason);
        return { account: after, changed: before.status !== 'needs_reauth' };
      });
      if (changed) log.warn({ accountId: id }, 'account needs reconnecting');
      return account;
    },

    /** Ends a pause set for `reason`, and only that one (a rate limit set meanwhile stays). */
    endPause(id: string, reason: string): void {
      database.immediate(() => {
        if (load(id).pauseReason !== reason) return;
        repos.accounts.update(id, { pausedUntil: null, pauseReason: null, updatedAt: clock.now() });
      });
    },

    /** A rate-limit or quota signal: no publishing to this account before `until`. */
    pause(id: string, until: number, reason: string): void {
      repos.accounts.update(id, { pausedUntil: until, pauseReason: reason, updatedAt: clock.now() });
    },

    setPlatformData(id: string, patch: Record<string, unknown>, actor: Actor = SYSTEM): void {
      database.immediate(() => {
        const account = load(id);
        const before = JSON.parse(account.platformData) as Record<string, unknown>;
        repos.accounts.update(id, {
          platformData: JSON.stringify({ ...before, ...patch }),
        });
        const diff = editOf(before, { ...before, ...patch }, Object.keys(patch));
        if (diff.after)
          recordAudit(deps, actor, {
            kind: 'account.update',
            clientId: account.clientId,
            targetId: id,
            summary: `Changed the settings of ${account.platform} account ${account.name}`,
            ...diff,
          });
      });
    },

    listByClient(clientId: string): AccountRow[] {
      if (!repos.clients.get(clientId)) throw new NotFoundError('Client');
      return repos.accounts.listByClient(clientId);
    },

    /**
     * Disable or re-enable publishing to an account (reconnecting needs OAuth, not a flag), or set its
     * weekly posting times (its queue; posts already queued keep their times).
     */
    patch(id: string, input: unknown, actor: Actor, scope: Scope = {}): AccountRow {
      const { status, postingTimes } = parseInput(patchAccountSchema, input);
      const before = load(id, scope);
      // Posting times are the account's queue (content); pausing and resuming is managing the account.
      authorize(actor, status === undefined ? 'content.write' : 'account.manage', before.clientId);
      if (status === 'connected' && before.status !== 'connected') {
        if (before.status === 'needs_reauth')
          throw new ConflictError(
            'This account must be reconnected through the client portal; its tokens no longer work.',
          );
        if (!before.accessTokenEnc)
          throw new ConflictError('This account has no tokens; connect it through the client portal.');
      }
      // The change and its audit entry commit together.
      database.immediate(() => {
        if (postingTimes) {
          repos.accounts.update(id, { postingTimes, updatedAt: clock.now() });
          log.info({ accountId: id, count: postingTimes.length, actor: actor.kind }, 'posting times set');
        }
        if (status !== undefined && status !== before.status) {
          if (status === 'connected') {
            const expired = before.tokenExpiresAt !== null && before.tokenExpiresAt <= clock.now();
            const why = 'The access token expired while the account was disabled; reconnect it.';
            repos.accounts.update(id, {
              status: expired ? 'needs_reauth' : 'connected',
              updatedAt: clock.now(),
              lastError: expired ? why : before.lastError,
            });
            if (expired) notice.accountNeedsReauth(load(id), why);
            else repos.posts.noteWaiting(id, null, clock.now());
          } else {
            repos.accounts.update(id, { status: 'disabled', updatedAt: clock.now() });
            repos.posts.noteWaiting(id, waitingOf({ ...before, status: 'disabled' }), clock.now());
          }
          log.info({ accountId: id, status, actor: actor.kind }, 'account status changed');
        }
        const after = load(id);
        const diff = editOf(before, after, ['status', 'postingTimes']);
        if (diff.after)
          recordAudit(deps, actor, {
            kind: 'account.update',
            clientId: before.clientId,
            targetId: id,
            summary: `Changed ${before.platform} account ${before.name}`,
            ...diff,
          });
      });
      return load(id);
    },

    /** Removes the account, its tokens and its posts (the pages ask for confirmation first). */
    delete(id: string, actor: Actor, scope: Scope = {}): void {
      const account = load(id, scope);
      authorize(actor, 'account.manage', account.clientId);
      const publishing = repos.posts.idsOfAccountIn(id, ['publishing']);
      if (publishing.length)
        throw new ConflictError('A post to this account is being published right now; try again in a minute.');
      database.immediate(() => {
        repos.accounts.delete(account.id);
        recordAudit(deps, actor, {
          kind: 'account.remove',
          clientId: account.clientId,
          targetId: id,
          summary: `Removed ${account.platform} account ${account.name}`,
        });
      });
      // Its picture goes with it (kept by the avatars service).
      for (const file of [id, `${id}.json`]) rmSync(join(deps.config.dataDir, 'avatars', file), { force: true });
      log.info({ accountId: id, actor: actor.kind }, 'account deleted');
    },
  };
}
export type AccountsService = ReturnType<typeof accountsService>;
