import type { Context, MiddlewareHandler } from 'hono';
import { NotFoundError } from '../domain/errors.js';
import { clientFilterOf } from '../services/access.js';
import { listScopeOf } from '../services/list-scope.js';
import type { Scope } from '../services/posts-service.js';
import type { AppDeps, AppEnv } from './context.js';

/** `/clients/<id>` and everything under it, in the admin pages and the API (hono's path is already decoded). */
const UNDER_CLIENT = /^(?:\/api\/v1)?\/clients\/([^/]+)/;

/**
 * Guards `/clients/:id/…` and `?clientId=`: a client's page and everything under it (its accounts, rules, media,
 * snippets, feeds, results and exports), and every list or form asked about a client, are "not found" to a member
 * the client is not assigned to, exactly as an unknown client is, so its id cannot be probed. Ids that are no
 * client (`/clients/new`) pass on to their own routes.
 */
export function clientInReach(deps: Pick<AppDeps, 'repos'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const held = clientFilterOf(c.var.actor);
    if (held) {
      for (const id of [UNDER_CLIENT.exec(c.req.path)?.[1], c.req.query('clientId')])
        if (id && !held.includes(id) && deps.repos.clients.get(id)) throw new NotFoundError('Client');
    }
    await next();
  };
}

/** The clients the request's lists hold (undefined: every client). */
export function heldOf(c: Context<AppEnv>): readonly string[] | undefined {
  return clientFilterOf(c.var.actor);
}

/** The request's list scope, for the services' list use-cases. */
export function scopeOf(c: Context<AppEnv>): Scope {
  return listScopeOf(c.var.actor);
}
