import type { MiddlewareHandler } from 'hono';
import { accessOf } from '../../domain/actor.js';
import { NotFoundError } from '../../domain/errors.js';
import { can, seesClient } from '../../domain/roles.js';
import { ForbiddenPage } from '../../../views/pages/forbidden.js';
import type { AppDeps, AppEnv } from '../context.js';
import { render } from '../render.js';
import { PAGE_ACCESS, answeringRoute, clientsOfRoute } from '../route-access.js';

/**
 * Admin pages: the member's role must allow the route (PAGE_ACCESS), and the thing the route names must belong to
 * one of their clients. Outside their clients it is "not found", so ids cannot be probed; inside, a role that may
 * not act gets a page saying what the role allows. Runs after the sign-in guard.
 */
export function requirePageAccess(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const route = answeringRoute(c);
    if (!route || !c.var.actor) return next();
    const access = accessOf(c.var.actor);
    // Owners and admins see every client: the lookups are only made for members held to some.
    if (access.clientIds !== null)
      for (const { clientId, what } of clientsOfRoute(deps.repos, route.pattern, c.req.url)) {
        if (!seesClient(access, clientId)) throw new NotFoundError(what);
      }
    const need = PAGE_ACCESS[route.key] ?? 'agency.manage';
    if (need === 'member' || can(access.role, need)) return next();
    return render(c, <ForbiddenPage role={access.role} message={forbiddenMessage(need)} />, 403);
  };
}

function forbiddenMessage(need: string): string {
  if (need === 'content.write' || need === 'post.approve') return 'Your role may look at this but not change it.';
  if (need === 'instance.manage' || need === 'owner.manage') return 'Only an owner may open this.';
  return 'Only admins and owners may open this.';
}
