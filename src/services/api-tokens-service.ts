import { z } from 'zod';
import { API_SCOPES, type ApiScope, DEFAULT_API_SCOPE, MAX_TOKEN_DAYS, scopeAllows } from '../domain/api-scope.js';
import { type Access, FULL_ACCESS, tokenCeiling } from '../domain/roles.js';
import { NotFoundError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { ApiTokenRow } from '../db/repos/index.js';
import { sha256 } from '../lib/crypto.js';
import { newId, randomSecret } from '../lib/ids.js';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { memberAccess } from './access.js';

const TOKEN_PREFIX = 'hrld_';
const DAY_MS = 86_400_000;

/** Empty (a blank form field) means "not given": the default scope, no expiry. */
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

/** A form or CLI value: digits only ("1e3" and "0x10" are not a number of days). */
const daysOf = (v: string) => (v === '' ? undefined : /^\d{1,6}$/.test(v) ? Number(v) : Number.NaN);
const DAYS = `must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}`;

const createSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  scope: z.preprocess(
    blankToUndefined,
    z.enum(API_SCOPES, { message: `must be one of ${API_SCOPES.join(', ')}` }).default(DEFAULT_API_SCOPE),
  ),
  expiresInDays: z.preprocess(
    (v) => (typeof v === 'string' ? daysOf(v.trim()) : blankToUndefined(v)),
    z.number({ message: DAYS }).int(DAYS).min(1, DAYS).max(MAX_TOKEN_DAYS, DAYS).optional(),
  ),
});

export function apiTokensService(deps: ServiceDeps) {
  const { repos, clock } = deps;
  return {
    /**
     * Creates a token (`{name, scope?, expiresInDays?}`); the secret is returned once and only its
     * hash is kept.
     */
    create(
      input: unknown,
      createdBy: string | null = null,
      actor: Actor = SYSTEM,
    ): { token: string; row: ApiTokenRow } {
      const { name, scope, expiresInDays } = parseInput(createSchema, input);
      const token = `${TOKEN_PREFIX}${randomSecret(32)}`;
      const now = clock.now();
      const row: ApiTokenRow = {
        id: newId('tok', now),
        name,
        tokenHash: sha256(token),
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        scope,
        expiresAt: expiresInDays === undefined ? null : now + expiresInDays * DAY_MS,
        createdAt: now,
        lastUsedAt: null,
        revokedAt: null,
        createdBy,
      };
      deps.database.immediate(() => {
        repos.auth.insertToken(row);
        recordAudit(deps, actor, {
          kind: 'token.create',
          targetId: row.id,
          summary: `Created API token "${name}" (${scope})`,
          after: { name, scope, expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString() },
        });
      });
      return { token, row };
    },

    /**
     * The live token row behind a bearer value, or null (unknown, revoked or expired). Use is
     * recorded at most once a minute.
     */
    verify(token: string): ApiTokenRow | null {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
      const row = repos.auth.tokenByHash(sha256(token));
      if (!row) return null;
      const now = clock.now();
      if (row.expiresAt !== null && row.expiresAt <= now) return null;
      if (!row.lastUsedAt || now - row.lastUsedAt > 60_000) repos.auth.touchToken(row.id, now);
      return row;
    },

    /**
     * What a live token may do: its scope held under its creator's role ceiling, and its creator's clients. A token
     * from before teams (no creator) was made by an owner.
     */
    effective(row: ApiTokenRow): { scope: ApiScope; access: Access } {
      if (!row.createdBy) return { scope: row.scope, access: FULL_ACCESS };
      const creator = repos.auth.getAdmin(row.createdBy);
      // The foreign key deletes a removed member's tokens; a missing creator can only be a race with that removal.
      if (!creator) return { scope: 'read', access: { role: 'viewer', clientIds: [] } };
      const ceiling = tokenCeiling(creator.role);
      return {
        scope: scopeAllows(ceiling, row.scope) ? row.scope : ceiling,
        access: memberAccess(deps, creator),
      };
    },

    list(): ApiTokenRow[] {
      return repos.auth.listTokens();
    },

    revoke(id: string, actor: Actor = SYSTEM): void {
      deps.database.immediate(() => {
        const token = repos.auth.listTokens().find((t) => t.id === id);
        if (!repos.auth.revokeToken(id, clock.now())) throw new NotFoundError('API token');
        recordAudit(deps, actor, {
          kind: 'token.revoke',
          targetId: id,
          summary: `Revoked API token "${token?.name ?? id}"`,
        });
      });
    },
  };
}
