import { z } from 'zod';
import type { Actor } from '../domain/actor.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { AccountRow } from '../db/repos/index.js';
import type { ServiceDeps } from './deps.js';
import type { Scope } from './posts-service.js';

const patchAccountSchema = z.object({ status: z.enum(['connected', 'disabled'], { message: 'must be connected or disabled' }) }).strict();

export function accountsService(deps: ServiceDeps) {
  const { repos, clock, log } = deps;

  function load(id: string, scope: Scope = {}): AccountRow {
    const account = repos.accounts.get(id);
    if (!account || (scope.clientId && account.clientId !== scope.clientId)) throw new NotFoundError('Account');
    return account;
  }

  return {
    get: load,

    listByClient(clientId: string): AccountRow[] {
      if (!repos.clients.get(clientId)) throw new NotFoundError('Client');
      return repos.accounts.listByClient(clientId);
    },

    /** Disable or re-enable publishing to an account. Reconnecting needs OAuth, not a flag. */
    patch(id: string, input: unknown, actor: Actor, scope: Scope = {}): AccountRow {
      const { status } = parseInput(patchAccountSchema, input);
      const account = load(id, scope);
      if (status === account.status) return account;
      if (status === 'connected') {
        if (account.status === 'needs_reauth') throw new ConflictError('This account must be reconnected through the client portal; its tokens no longer work.');
        if (!account.accessTokenEnc) throw new ConflictError('This account has no tokens; connect it through the client portal.');
        const expired = account.tokenExpiresAt !== null && account.tokenExpiresAt <= clock.now();
        repos.accounts.update(id, { status: expired ? 'needs_reauth' : 'connected', updatedAt: clock.now(), lastError: expired ? 'The access token expired while the account was disabled; reconnect it.' : account.lastError });
      } else {
        repos.accounts.update(id, { status: 'disabled', updatedAt: clock.now() });
      }
      log.info({ module: 'accounts', accountId: id, status, actor: actor.kind }, 'account status changed');
      return load(id);
    },

    /** Removes the account, its tokens and its posts (the pages ask for confirmation first). */
    delete(id: string, actor: Actor, scope: Scope = {}): void {
      const account = load(id, scope);
      const publishing = repos.posts.idsOfAccountIn(id, ['publishing']);
      if (publishing.length) throw new ConflictError('A post to this account is being published right now; try again in a minute.');
      repos.accounts.delete(account.id);
      log.info({ module: 'accounts', accountId: id, actor: actor.kind }, 'account deleted');
    },
  };
}
export type AccountsService = ReturnType<typeof accountsService>;
