import { and, asc, eq, gt, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import { type ClientIds, inClients } from './client-scope.js';
import { deliveries, events } from '../schema/index.js';

export type EventRow = typeof events.$inferSelect;

/** How an event's deliveries stand: one count per status (the events page). */
export type DeliveryCounts = Record<'pending' | 'delivered' | 'failed' | 'cancelled', number>;

export interface EventFilter {
  type?: string | undefined;
  clientId?: string | undefined;
  /**
   * Only events of these clients (a member's assigned clients); agency-wide events (no client) are left out, as
   * they say nothing a member of a few clients should see.
   */
  clientIds?: ClientIds;
  /** Only events after this one (an event id), oldest first: how a poller catches up. */
  afterSeq?: number | undefined;
  limit: number;
}

export function eventsRepo({ db }: Database) {
  return {
    insert(row: Omit<EventRow, 'seq' | 'fannedOutAt'>): void {
      db.insert(events).values(row).run();
    },
    get(id: string): EventRow | undefined {
      return db.select().from(events).where(eq(events.id, id)).get();
    },
    getMany(ids: readonly string[]): EventRow[] {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(events)
        .where(inArray(events.id, [...ids]))
        .all();
    },
    /** Oldest first from a position; `limit + 1` rows so the caller can tell there is more. */
    list(filter: EventFilter): EventRow[] {
      const where: SQL[] = [];
      if (filter.type) where.push(eq(events.type, filter.type));
      if (filter.clientId) where.push(eq(events.clientId, filter.clientId));
      if (filter.clientIds) where.push(inClients(events.clientId, filter.clientIds)!);
      if (filter.afterSeq !== undefined) where.push(gt(events.seq, filter.afterSeq));
      return db
        .select()
        .from(events)
        .where(where.length ? and(...where) : undefined)
        .orderBy(asc(events.seq))
        .limit(filter.limit + 1)
        .all();
    },
    /** The newest events first (the admin page). */
    latest(filter: Omit<EventFilter, 'afterSeq'> & { beforeSeq?: number | undefined }): EventRow[] {
      const where: SQL[] = [];
      if (filter.type) where.push(eq(events.type, filter.type));
      if (filter.clientId) where.push(eq(events.clientId, filter.clientId));
      if (filter.clientIds) where.push(inClients(events.clientId, filter.clientIds)!);
      if (filter.beforeSeq !== undefined) where.push(sql`${events.seq} < ${filter.beforeSeq}`);
      return db
        .select()
        .from(events)
        .where(where.length ? and(...where) : undefined)
        .orderBy(sql`${events.seq} DESC`)
        .limit(filter.limit + 1)
        .all();
    },
    /** The newest event of a type whose payload has `field` = `value` (the last notice about one rule or job). */
    lastWith(type: string, field: string, value: string): EventRow | undefined {
      return db
        .select()
        .from(events)
        .where(and(eq(events.type, type), sql`json_extract(${events.data}, ${`$.${field}`}) = ${value}`))
        .orderBy(sql`${events.seq} DESC`)
        .limit(1)
        .get();
    },
    /** Delivery counts by status for each of these events (an event with none is absent). */
    deliveryCounts(ids: readonly string[]): Map<string, DeliveryCounts> {
      const map = new Map<string, DeliveryCounts>();
      if (ids.length === 0) return map;
      const rows = db
        .select({ eventId: deliveries.eventId, status: deliveries.status, n: sql<number>`count(*)` })
        .from(deliveries)
        .where(inArray(deliveries.eventId, [...ids]))
        .groupBy(deliveries.eventId, deliveries.status)
        .all();
      for (const row of rows) {
        const counts = map.get(row.eventId) ?? { pending: 0, delivered: 0, failed: 0, cancelled: 0 };
        counts[row.status] = row.n;
        map.set(row.eventId, counts);
      }
      return map;
    },
    /** Events the leader has not yet turned into deliveries, oldest first. */
    unfanned(limit: number): EventRow[] {
      return db.select().from(events).where(isNull(events.fannedOutAt)).orderBy(asc(events.seq)).limit(limit).all();
    },
    markFannedOut(id: string, at: number): void {
      db.update(events).set({ fannedOutAt: at }).where(eq(events.id, id)).run();
    },
  };
}
