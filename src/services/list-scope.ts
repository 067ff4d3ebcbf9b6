import type { Actor } from '../domain/actor.js';
import { NotFoundError } from '../domain/errors.js';
import { clientFilterOf } from './access.js';
import type { Scope } from './posts-service.js';

/** What an actor's lists hold: every client, or (editors and viewers) the clients assigned to them. */
export function listScopeOf(actor: Actor): Scope {
  const clientIds = clientFilterOf(actor);
  return clientIds ? { clientIds } : {};
}

/** Whether a client is within a scope (a portal's one client, a member's assigned clients, or every client). */
export function inScope(scope: Scope, clientId: string): boolean {
  if (scope.clientId && scope.clientId !== clientId) return false;
  return !scope.clientIds || scope.clientIds.includes(clientId);
}

/**
 * The clients a list is held to (undefined: every client), after checking the one it was asked for: a client
 * outside the scope is "not found", as its items are, so a `?clientId=` cannot tell which clients exist.
 */
export function heldClients(scope: Scope, asked?: string | null): readonly string[] | undefined {
  if (asked && scope.clientIds && !scope.clientIds.includes(asked)) throw new NotFoundError('Client');
  return scope.clientIds;
}
