import { z } from 'zod';
import { NotFoundError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { ApiTokenRow } from '../db/repos/index.js';
import { sha256 } from '../lib/crypto.js';
import { newId, randomSecret } from '../lib/ids.js';
import type { ServiceDeps } from './deps.js';

const TOKEN_PREFIX = 'hrld_';
const nameSchema = z.object({ name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters') });

export function apiTokensService(deps: ServiceDeps) {
  const { repos, clock } = deps;
  return {
    /** Creates a token; the secret is returned once and only its hash is kept. */
    create(input: unknown): { token: string; row: ApiTokenRow } {
      const { name } = parseInput(nameSchema, input);
      const token = `${TOKEN_PREFIX}${randomSecret(32)}`;
      const row: ApiTokenRow = {
        id: newId('tok', clock.now()),
        name,
        tokenHash: sha256(token),
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        createdAt: clock.now(),
        lastUsedAt: null,
        revokedAt: null,
      };
      repos.auth.insertToken(row);
      return { token, row };
    },

    /** The token row behind a bearer value, or null. Use is recorded at most once a minute. */
    verify(token: string): ApiTokenRow | null {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
      const row = repos.auth.tokenByHash(sha256(token));
      if (!row) return null;
      const now = clock.now();
      if (!row.lastUsedAt || now - row.lastUsedAt > 60_000) repos.auth.touchToken(row.id, now);
      return row;
    },

    list(): ApiTokenRow[] {
      return repos.auth.listTokens();
    },

    revoke(id: string): void {
      if (!repos.auth.revokeToken(id, clock.now())) throw new NotFoundError('API token');
    },
  };
}
