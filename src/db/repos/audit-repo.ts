import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import { ValidationError } from '../../domain/errors.js';
import type { Database } from '../client.js';
import { auditLog } from '../schema/index.js';
import { decodeCursor, encodeCursor, type Page } from './pagination.js';

export type AuditRow = typeof auditLog.$inferSelect;

/** What the trail is filtered by: the person or token, the client, the kind, and a time range (ms, inclusive). */
export interface AuditFilter {
  readonly actorId?: string | undefined;
  readonly clientId?: string | undefined;
  readonly kind?: string | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

/** The audit trail. Entries are only ever added (and pruned past the retention period). */
export function auditRepo({ db }: Database) {
  function where(filter: AuditFilter): SQL[] {
    const conditions: SQL[] = [];
    if (filter.actorId) conditions.push(eq(auditLog.actorId, filter.actorId));
    if (filter.clientId) conditions.push(eq(auditLog.clientId, filter.clientId));
    if (filter.kind) conditions.push(eq(auditLog.kind, filter.kind));
    if (filter.from !== undefined) conditions.push(gte(auditLog.at, filter.from));
    if (filter.to !== undefined) conditions.push(lte(auditLog.at, filter.to));
    return conditions;
  }

  return {
    insert(row: Omit<AuditRow, 'id'>): void {
      db.insert(auditLog).values(row).run();
    },

    /** Newest first; the cursor is the id of the last entry shown (ids only grow, so a page never shifts). */
    list(filter: AuditFilter & { readonly cursor?: string | undefined; readonly limit: number }): Page<AuditRow> {
      const conditions = where(filter);
      const after = decodeCursor(filter.cursor);
      if (after) {
        const id = Number(after.id);
        if (!Number.isSafeInteger(id)) throw ValidationError.field('cursor', 'is not a cursor this server gave out');
        conditions.push(lt(auditLog.id, id));
      }
      const rows = db
        .select()
        .from(auditLog)
        .where(and(...conditions))
        .orderBy(desc(auditLog.id))
        .limit(filter.limit + 1)
        .all();
      if (rows.length <= filter.limit) return { data: rows, nextCursor: null };
      const data = rows.slice(0, filter.limit);
      return { data, nextCursor: encodeCursor(null, String(data[data.length - 1]!.id)) };
    },

    /** The actors that appear in the trail, for the page's "person" filter (the label they had last). */
    actors(): { id: string; label: string }[] {
      const rows = db
        .selectDistinct({ id: auditLog.actorId, label: auditLog.actorLabel })
        .from(auditLog)
        .orderBy(auditLog.actorLabel)
        .all();
      const seen = new Map<string, string>();
      for (const row of rows) if (row.id && !seen.has(row.id)) seen.set(row.id, row.label);
      return [...seen].map(([id, label]) => ({ id, label }));
    },

    /** Deletes the entries older than `before` (ms); returns how many went. */
    prune(before: number): number {
      return db.delete(auditLog).where(lt(auditLog.at, before)).run().changes;
    },
  };
}
