import { Hono } from 'hono';
import { EventsPage, type EventItem } from '../../../../views/pages/events.js';
import { EVENT_CATALOG, EVENT_TYPES, isEventType } from '../../../domain/events.js';
import { toEventRecord } from '../../../services/events.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { heldClients } from '../../../services/list-scope.js';
import { scopeOf } from '../../client-reach.js';
import { pageContext, render } from '../../render.js';

const PAGE_SIZE = 50;

/** `/events`: the outbox, newest first, with how each event's deliveries stand. */
export function eventRoutes(deps: AppDeps) {
  const { repos } = deps;
  return new Hono<AppEnv>().get('/events', (c) => {
    const rawType = c.req.query('type') ?? '';
    const type = isEventType(rawType) ? rawType : '';
    const held = heldClients(scopeOf(c), c.req.query('clientId'));
    const clients = repos.clients.options(held);
    const rawClient = c.req.query('clientId') ?? '';
    const clientId = rawClient && repos.clients.get(rawClient) ? rawClient : '';
    const before = c.req.query('before') ? repos.events.get(c.req.query('before')!) : undefined;
    const rows = repos.events.latest({
      type: type || undefined,
      clientId: clientId || undefined,
      clientIds: held,
      beforeSeq: before?.seq,
      limit: PAGE_SIZE,
    });
    const shown = rows.slice(0, PAGE_SIZE);
    const counts = repos.events.deliveryCounts(shown.map((r) => r.id));
    const zones = new Map<string, { name: string; timezone: string } | null>();
    const clientOf = (id: string) => {
      if (!zones.has(id)) {
        const row = repos.clients.get(id);
        zones.set(id, row ? { name: row.name, timezone: row.timezone } : null);
      }
      return zones.get(id)!;
    };
    const items: EventItem[] = shown.map((row) => {
      const client = row.clientId ? clientOf(row.clientId) : null;
      const d = counts.get(row.id);
      return {
        event: toEventRecord(row),
        clientName: client?.name ?? null,
        zone: client?.timezone ?? 'UTC',
        deliveries: { delivered: d?.delivered ?? 0, pending: d?.pending ?? 0, failed: d?.failed ?? 0 },
      };
    });
    const last = shown[shown.length - 1];
    const query = new URLSearchParams({
      ...(type ? { type } : {}),
      ...(clientId ? { clientId } : {}),
      ...(last ? { before: last.id } : {}),
    });
    return render(
      c,
      <EventsPage
        page={pageContext(c)}
        items={items}
        types={EVENT_TYPES.map((t) => ({ type: t, label: EVENT_CATALOG[t].label }))}
        type={type}
        clientId={clientId}
        clients={clients}
        olderHref={rows.length > PAGE_SIZE && last ? `/events?${query.toString()}` : null}
      />,
    );
  });
}
