import { type Actor, accessOf } from '../domain/actor.js';
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import { type Access, type Action, accessFor, can, seesAllClients, seesClient } from '../domain/roles.js';
import type { AdminRow } from '../db/repos/index.js';
import type { ServiceDeps } from './deps.js';

/** A member's access: their role, and (editors and viewers) the clients assigned to them. */
export function memberAccess(deps: Pick<ServiceDeps, 'repos'>, member: Pick<AdminRow, 'id' | 'role'>): Access {
  return accessFor(member.role, seesAllClients(member.role) ? [] : deps.repos.auth.memberClientIds(member.id));
}

/**
 * The one check every use-case makes before it acts: may this actor do `action` (for `clientId`, when the thing
 * belongs to a client)? A client outside the actor's reach is "not found", so its ids cannot be probed; a known
 * client with a role that may not act there is "forbidden".
 */
export function authorize(actor: Actor, action: Action, clientId?: string | null): void {
  const access = accessOf(actor);
  // The client portal reaches its one client; what it may do there its own routes and the services decide.
  if (actor.kind === 'client') {
    if (clientId && !seesClient(access, clientId)) throw new NotFoundError('Client');
    return;
  }
  if (clientId && !seesClient(access, clientId)) throw new NotFoundError('Client');
  if (!can(access.role, action)) throw new ForbiddenError(forbiddenMessage(action));
}

/** The clients an actor's lists are held to: undefined means every client. */
export function clientFilterOf(actor: Actor): readonly string[] | undefined {
  return accessOf(actor).clientIds ?? undefined;
}

function forbiddenMessage(action: Action): string {
  switch (action) {
    case 'content.write':
      return 'Your role may read this client but not change it.';
    case 'post.approve':
      return 'Your role may not approve posts.';
    case 'account.manage':
      return 'Only admins and owners connect or remove accounts.';
    case 'owner.manage':
    case 'instance.manage':
      return 'Only an owner may do that.';
    default:
      return 'Only admins and owners may do that.';
  }
}
