import { Hono } from 'hono';
import { ValidationError } from '../../domain/errors.js';
import { EVENTS_PAGE_SIZE } from '../../services/events.js';
import { heldClients } from '../../services/list-scope.js';
import { scopeOf } from '../client-reach.js';
import type { AppDeps, AppEnv } from '../context.js';
import { limitOf } from './helpers.js';

/**
 * `GET /events`: the outbox for tools that poll. Oldest first after `after` (the last id the
 * caller saw; `cursor`, the list convention's name, means the same), so a poller keeps the last
 * id and asks again. Filters: `type`, `clientId`.
 */
export function eventsApi(deps: AppDeps) {
  const { services, repos } = deps;
  return new Hono<AppEnv>().get('/', (c) => {
    const { type, clientId, after, cursor } = c.req.query();
    if (after && cursor && after !== cursor)
      throw ValidationError.field('cursor', 'differs from after: send one of them');
    const clientIds = heldClients(scopeOf(c), clientId);
    if (clientId && !repos.clients.get(clientId)) throw ValidationError.field('clientId', 'is not a client');
    const limit = limitOf(c, EVENTS_PAGE_SIZE);
    if (limit > EVENTS_PAGE_SIZE)
      throw ValidationError.field('limit', `must be a whole number from 1 to ${EVENTS_PAGE_SIZE}`);
    const page = services.events.list({
      type: type || undefined,
      clientId: clientId || undefined,
      clientIds,
      after: after || cursor || undefined,
      limit,
    });
    return c.json({ data: page.data, nextCursor: page.next });
  });
}
