import { accessOf, type Actor } from '../domain/actor.js';
import { isAuditKind } from '../domain/audit.js';
import { ForbiddenError, ValidationError, type FieldErrors } from '../domain/errors.js';
import { can } from '../domain/roles.js';
import type { AuditRow } from '../db/repos/audit-repo.js';
import type { Page } from '../db/repos/index.js';
import { MAX_PAGE_SIZE } from '../db/repos/pagination.js';
import { csvRow } from '../domain/csv.js';
import type { ServiceDeps } from './deps.js';
import type { CsvExport } from './results-export-service.js';

const DAY = 86_400_000;
/** Rows per read while a CSV is written: the export never holds more than this in memory. */
const EXPORT_BATCH = 500;

export const AUDIT_CSV_COLUMNS = [
  'at',
  'actor_kind',
  'actor_id',
  'actor',
  'client_id',
  'client',
  'kind',
  'target_id',
  'summary',
  'before',
  'after',
  'ip',
] as const;

/** The trail's filters as the page, the CSV and the API take them (all optional text). */
export interface AuditQuery {
  readonly actorId?: string | undefined;
  readonly clientId?: string | undefined;
  readonly kind?: string | undefined;
  /** A day (`2026-11-30`: from its start, UTC) or an ISO time. */
  readonly from?: string | undefined;
  /** A day (`2026-11-30`: to its end, UTC) or an ISO time. */
  readonly to?: string | undefined;
  readonly cursor?: string | undefined;
}

/** `from`/`to` as ms: a bare day covers the whole of it. */
function timeOf(value: string | undefined, end: boolean, field: string, errors: FieldErrors): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`);
    if (Number.isFinite(start)) return end ? start + DAY - 1 : start;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const at = Date.parse(text);
    if (Number.isFinite(at)) return at;
  }
  errors[field] = ['must be a date (YYYY-MM-DD) or an ISO 8601 time'];
  return undefined;
}

/** Reading the audit trail (owners and admins: `audit.read`). Writing it is `recordAudit`, inside each change. */
export function auditTrailService(deps: ServiceDeps) {
  const { repos } = deps;

  function authorizeRead(actor: Actor): void {
    if (!can(accessOf(actor).role, 'audit.read'))
      throw new ForbiddenError('Only owners and admins can read the audit trail.');
  }

  function filterOf(query: AuditQuery) {
    const errors: FieldErrors = {};
    const kind = query.kind?.trim() || undefined;
    if (kind && !isAuditKind(kind)) errors.kind = ['is not a kind of change the trail records'];
    const from = timeOf(query.from, false, 'from', errors);
    const to = timeOf(query.to, true, 'to', errors);
    if (from !== undefined && to !== undefined && from > to) errors.to = ['is before from'];
    if (Object.keys(errors).length) {
      const said = Object.entries(errors).map(([field, problems]) => `${field} ${problems.join(', ')}`);
      throw new ValidationError(errors, `The filter is not valid: ${said.join('; ')}.`);
    }
    return {
      actorId: query.actorId?.trim() || undefined,
      clientId: query.clientId?.trim() || undefined,
      kind,
      from,
      to,
    };
  }

  return {
    /** One page of entries, newest first. */
    list(query: AuditQuery, limit: number, actor: Actor): Page<AuditRow> {
      authorizeRead(actor);
      return repos.audit.list({ ...filterOf(query), cursor: query.cursor, limit: Math.min(limit, MAX_PAGE_SIZE) });
    },

    /**
     * Every entry the filters match as CSV, newest first, read in batches as the download goes. Checked up front
     * (access, filters) so a refusal is an answer, not a broken download; every cell is formula-safe (domain/csv).
     */
    csv(query: AuditQuery, actor: Actor): CsvExport {
      authorizeRead(actor);
      const filter = filterOf(query);
      const clientNames = new Map<string, string>();
      const clientName = (id: string | null) => {
        if (!id) return '';
        if (!clientNames.has(id)) clientNames.set(id, repos.clients.get(id)?.name ?? '');
        return clientNames.get(id)!;
      };
      const json = (value: Record<string, unknown> | null) => (value ? JSON.stringify(value) : '');
      function* chunks(): Generator<string> {
        yield csvRow(AUDIT_CSV_COLUMNS);
        let cursor: string | undefined;
        do {
          const page = repos.audit.list({ ...filter, cursor, limit: EXPORT_BATCH });
          yield page.data
            .map((row) =>
              csvRow([
                new Date(row.at).toISOString(),
                row.actorKind,
                row.actorId,
                row.actorLabel,
                row.clientId,
                clientName(row.clientId),
                row.kind,
                row.targetId,
                row.summary,
                json(row.before),
                json(row.after),
                row.ip,
              ]),
            )
            .join('');
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
      return { filename: 'audit.csv', chunks: chunks() };
    },

    /** The people and tokens that appear in the trail, for the "person" filter. */
    actors(actor: Actor): { id: string; label: string }[] {
      authorizeRead(actor);
      return repos.audit.actors();
    },
  };
}
