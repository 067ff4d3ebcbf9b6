import type { Context } from 'hono';
import { clientFilterOf } from '../services/access.js';
import { listScopeOf } from '../services/list-scope.js';
import type { Scope } from '../services/posts-service.js';
import type { AppEnv } from './context.js';

/** The clients the request's lists hold (undefined: every client). */
export function heldOf(c: Context<AppEnv>): readonly string[] | undefined {
  return clientFilterOf(c.var.actor);
}

/** The request's list scope, for the services' list use-cases. */
export function scopeOf(c: Context<AppEnv>): Scope {
  return listScopeOf(c.var.actor);
}
