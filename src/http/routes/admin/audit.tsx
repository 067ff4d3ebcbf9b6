import { Hono, type Context } from 'hono';
import { AuditPage, type AuditFilters } from '../../../../views/pages/audit.js';
import { AUDIT_KINDS } from '../../../domain/audit.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { csvResponse } from '../../csv-response.js';
import { pageContext, render } from '../../render.js';

const PAGE_SIZE = 50;

function filtersOf(c: Context<AppEnv>): AuditFilters {
  const q = (name: string) => (c.req.query(name) ?? '').trim();
  return { actorId: q('actorId'), clientId: q('clientId'), kind: q('kind'), from: q('from'), to: q('to') };
}

function queryString(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filters, ...extra })) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** `/audit`: the audit trail, filtered and paged; `/audit.csv`: the same entries as a download. */
export function auditRoutes(deps: AppDeps) {
  const { services, repos, config } = deps;
  return new Hono<AppEnv>()
    .get('/audit', (c) => {
      const filters = filtersOf(c);
      const page = services.audit.list({ ...filters, cursor: c.req.query('cursor') }, PAGE_SIZE, c.var.actor);
      const clients = repos.clients.options();
      const names = new Map(clients.map((client) => [client.id, client.name]));
      return render(
        c,
        <AuditPage
          page={pageContext(c)}
          items={page.data.map((row) => ({
            id: row.id,
            at: row.at,
            actorLabel: row.actorLabel,
            actorKind: row.actorKind,
            clientName: row.clientId ? (names.get(row.clientId) ?? row.clientId) : null,
            kind: row.kind,
            summary: row.summary,
            before: row.before,
            after: row.after,
          }))}
          filters={filters}
          actors={services.audit.actors(c.var.actor)}
          clients={clients}
          kinds={AUDIT_KINDS}
          csvHref={`/audit.csv${queryString(filters)}`}
          olderHref={page.nextCursor ? `/audit${queryString(filters, { cursor: page.nextCursor })}` : null}
          retentionDays={config.auditRetentionDays}
        />,
      );
    })
    .get('/audit.csv', (c) => {
      return csvResponse(services.audit.csv(filtersOf(c), c.var.actor));
    });
}
