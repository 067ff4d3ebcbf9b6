import { ClientFilter } from '../components/forms.js';
import { EmptyState, Pager, When } from '../components/bits.js';
import { AdminLayout, type PageContext } from '../layouts/admin.js';

/** One entry as the audit page lists it. */
export interface AuditItem {
  id: number;
  at: number;
  actorLabel: string;
  actorKind: string;
  clientName: string | null;
  kind: string;
  summary: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface AuditFilters {
  actorId: string;
  clientId: string;
  kind: string;
  from: string;
  to: string;
}

/** A value as a person reads it in the trail: text as it is, anything else as JSON, long values cut. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Each changed field, before → after. */
function Change({ before, after }: { before: AuditItem['before']; after: AuditItem['after'] }) {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  if (!fields.length) return null;
  return (
    <dl class="audit-change">
      {fields.map((field) => (
        <>
          <dt>{field}</dt>
          <dd>
            {before && field in before ? (
              <>
                <del>{shown(before[field])}</del> →{' '}
              </>
            ) : null}
            <ins>{shown(after?.[field])}</ins>
          </dd>
        </>
      ))}
    </dl>
  );
}

export function AuditPage({
  page,
  items,
  filters,
  actors,
  clients,
  kinds,
  csvHref,
  olderHref,
  retentionDays,
}: {
  page: PageContext;
  items: AuditItem[];
  filters: AuditFilters;
  actors: ReadonlyArray<{ id: string; label: string }>;
  clients: ReadonlyArray<{ id: string; name: string }>;
  kinds: readonly string[];
  csvHref: string;
  olderHref: string | null;
  retentionDays: number;
}) {
  const filtered = Object.values(filters).some(Boolean);
  return (
    <AdminLayout
      title="Audit trail"
      page={page}
      active="audit"
      actions={
        <a href={csvHref} role="button" class="secondary outline" download>
          Download CSV
        </a>
      }
    >
      <p class="muted">
        Who changed what and when: every change a team member, a client in the portal or an API token made, newest
        first. Entries are kept for {retentionDays} days (AUDIT_RETENTION_DAYS).
      </p>
      <form method="get" action="/audit" class="filters">
        <select name="actorId" aria-label="Person">
          <option value="">Everyone</option>
          {actors.map((a) => (
            <option value={a.id} selected={a.id === filters.actorId}>
              {a.label}
            </option>
          ))}
        </select>
        <ClientFilter clients={clients} selected={filters.clientId} />
        <select name="kind" aria-label="Kind">
          <option value="">Every kind</option>
          {kinds.map((k) => (
            <option value={k} selected={k === filters.kind}>
              {k}
            </option>
          ))}
        </select>
        <input type="date" name="from" aria-label="From" value={filters.from} />
        <input type="date" name="to" aria-label="To" value={filters.to} />
        <button type="submit">Filter</button>
      </form>
      {items.length === 0 ? (
        <EmptyState title={filtered ? 'No entries match these filters.' : 'Nothing has been changed yet.'}>
          Changes to posts, approvals, rules, clients, accounts, settings, tokens and the team appear here.
        </EmptyState>
      ) : (
        <table class="striped responsive compact audit">
          <thead>
            <tr>
              <th>When (UTC)</th>
              <th>Who</th>
              <th>Client</th>
              <th>What</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr id={`audit-${item.id}`} data-kind={item.kind}>
                <td>
                  <When ms={item.at} tz="UTC" />
                </td>
                <td>{item.actorLabel}</td>
                <td>{item.clientName ?? <span class="muted">agency</span>}</td>
                <td>
                  <span class="badge">{item.kind}</span> {item.summary}
                </td>
                <td>
                  <Change before={item.before} after={item.after} />
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
