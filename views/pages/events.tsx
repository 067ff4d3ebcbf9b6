import { ClientFilter } from '../components/forms.js';
import type { EventRecord } from '../../src/domain/events.js';
import { EmptyState, Pager, When } from '../components/bits.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

/** An event as the events page lists it: with its client and how its deliveries stand. */
export interface EventItem {
  event: EventRecord;
  clientName: string | null;
  /** The zone its time is shown in: the client's, or UTC for events of the whole agency. */
  zone: string;
  deliveries: { delivered: number; pending: number; failed: number };
}

function DeliverySummary({ counts }: { counts: EventItem['deliveries'] }) {
  const total = counts.delivered + counts.pending + counts.failed;
  if (total === 0) return <span class="muted">not sent anywhere</span>;
  return (
    <span class="delivery-summary">
      {counts.delivered ? <span class="badge level-ok">{counts.delivered} delivered</span> : null}{' '}
      {counts.pending ? <span class="badge level-info">{counts.pending} pending</span> : null}{' '}
      {counts.failed ? <span class="badge level-error">{counts.failed} failed</span> : null}
    </span>
  );
}

export function EventsPage({
  page,
  items,
  types,
  type,
  clientId,
  clients,
  olderHref,
}: {
  page: PageContext;
  items: EventItem[];
  types: Array<{ type: string; label: string }>;
  type: string;
  clientId: string;
  clients: ReadonlyArray<{ id: string; name: string }>;
  olderHref: string | null;
}) {
  const labels = new Map(types.map((t) => [t.type, t.label]));
  return (
    <AdminLayout title="Events" page={page} active="events">
      <p class="muted">
        Everything Herald told people about, newest first. The same events go to email, chat and webhooks, and are
        listed by the API at <code>/api/v1/events</code>.
      </p>
      <form method="get" action="/events" class="filters">
        <select name="type" aria-label="Type" data-autosubmit="true">
          <option value="">All types</option>
          {types.map((t) => (
            <option value={t.type} selected={t.type === type}>
              {t.label}
            </option>
          ))}
        </select>
        <ClientFilter clients={clients} selected={clientId} />
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </form>
      {items.length === 0 ? (
        <EmptyState title={type || clientId ? 'No events match these filters.' : 'Nothing has happened yet.'}>
          <p>Published and failed posts, approvals, broken accounts and failed jobs appear here as they happen.</p>
        </EmptyState>
      ) : (
        <table class="striped responsive compact events">
          <thead>
            <tr>
              <th>When</th>
              <th>Type</th>
              <th>Client</th>
              <th>What happened</th>
              <th>Delivered</th>
            </tr>
          </thead>
          <tbody>
            {items.map(({ event, clientName, zone, deliveries }) => (
              <tr id={event.id}>
                <td>
                  <When ms={Date.parse(event.createdAt)} tz={zone} />
                </td>
                <td>
                  <span class={`badge event-${event.type.replace('.', '-')}`}>
                    {labels.get(event.type) ?? event.type}
                  </span>
                </td>
                <td>{clientName ?? <span class="muted">agency</span>}</td>
                <td>
                  {event.data.url ? (
                    <a href={event.data.url}>{event.data.title}</a>
                  ) : (
                    <strong>{event.data.title}</strong>
                  )}
                  {event.data.text ? <p class="muted">{event.data.text}</p> : null}
                </td>
                <td>
                  <DeliverySummary counts={deliveries} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager href={olderHref} label="Older →" />
    </AdminLayout>
  );
}
