import { and, asc, desc, eq, inArray, lt, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client.js';
import { frozen } from './frozen.js';
import { deliveries, emailSuppressions, events, notifyChannels, notifyPrefs } from '../schema/index.js';

/** The due time of a delivery whose channel is paused: never, until the channel is resumed. */
export const PARKED = Number.MAX_SAFE_INTEGER;

export type ChannelRow = typeof notifyChannels.$inferSelect;
export type DeliveryRow = typeof deliveries.$inferSelect;
export type NotifyPrefRow = typeof notifyPrefs.$inferSelect;

export interface DeliveryFilter {
  /** A channel's id, or an email target such as `admin:<id>`. */
  target?: string | undefined;
  channel?: string | undefined;
  status?: DeliveryRow['status'] | undefined;
  eventType?: string | undefined;
  /** Newest first, before this creation time and id (the previous page's last row). */
  before?: { createdAt: number; id: string } | undefined;
  limit: number;
}

/** A delivery with the event it carries, for the logs. */
export type DeliveryWithEvent = DeliveryRow & { eventType: string; eventClientId: string | null };

export function notifyRepo({ db, memo }: Database) {
  return {
    // Channels (webhook endpoints and chat webhooks).
    insertChannel(row: ChannelRow): void {
      db.insert(notifyChannels).values(row).run();
    },
    updateChannel(id: string, patch: Partial<ChannelRow>): void {
      db.update(notifyChannels).set(patch).where(eq(notifyChannels.id, id)).run();
    },
    deleteChannel(id: string): boolean {
      return db.delete(notifyChannels).where(eq(notifyChannels.id, id)).run().changes === 1;
    },
    getChannel(id: string): ChannelRow | undefined {
      return db.select().from(notifyChannels).where(eq(notifyChannels.id, id)).get();
    },
    listChannels(filter: { kind?: ChannelRow['kind'] | undefined } = {}): ChannelRow[] {
      return db
        .select()
        .from(notifyChannels)
        .where(filter.kind ? eq(notifyChannels.kind, filter.kind) : undefined)
        .orderBy(asc(notifyChannels.createdAt), asc(notifyChannels.id))
        .all();
    },
    /** The channels that have failed more than once in a row and are not yet paused (the dashboard). */
    failingChannels(): ReadonlyArray<Readonly<ChannelRow>> {
      return memo('notify.failingChannels', () =>
        frozen(
          db
            .select()
            .from(notifyChannels)
            .where(sql`${notifyChannels.status} = 'paused' OR ${notifyChannels.consecutiveFailures} > 0`)
            .orderBy(asc(notifyChannels.name))
            .all(),
        ),
      );
    },

    /**
     * Email that is not getting through: messages still waiting after a failed try, and the
     * latest error (the dashboard). null when every email went or is on its first try.
     */
    failingEmail(): { waiting: number; lastError: string | null; since: number | null } | null {
      return memo('notify.failingEmail', () => {
        const row = db
          .select({
            waiting: sql<number>`count(*)`,
            since: sql<number | null>`min(${deliveries.lastAttemptAt})`,
            lastError: sql<string | null>`(SELECT d2.last_error FROM deliveries d2
            WHERE d2.channel = 'email' AND d2.status = 'pending' AND d2.attempts > 0
            ORDER BY d2.last_attempt_at DESC LIMIT 1)`,
          })
          .from(deliveries)
          .where(
            and(eq(deliveries.channel, 'email'), eq(deliveries.status, 'pending'), sql`${deliveries.attempts} > 0`),
          )
          .get();
        return row && row.waiting > 0 ? Object.freeze(row) : null;
      });
    },

    // Deliveries.
    /** Inserts a delivery unless the same (event, channel, target) exists: fan-out may run twice. */
    insertDelivery(row: DeliveryRow): boolean {
      return db.insert(deliveries).values(row).onConflictDoNothing().run().changes === 1;
    },
    getDelivery(id: string): DeliveryRow | undefined {
      return db.select().from(deliveries).where(eq(deliveries.id, id)).get();
    },
    /** Pending deliveries whose time has come, oldest due first; none for the targets in `skip` (already busy). */
    due(now: number, limit: number, skip: readonly string[] = []): DeliveryRow[] {
      return db
        .select()
        .from(deliveries)
        .where(
          and(
            eq(deliveries.status, 'pending'),
            lte(deliveries.dueAt, now),
            skip.length ? notInArray(deliveries.target, [...skip]) : undefined,
          ),
        )
        .orderBy(asc(deliveries.dueAt))
        .limit(limit)
        .all();
    },
    /**
     * Pending deliveries of one target and bundle, oldest first: all of them (to batch or remind),
     * or those due by `dueBy` (one digest, one batch going out).
     */
    pendingInBundle(channel: string, target: string, bundle: string, dueBy?: number): DeliveryRow[] {
      return db
        .select()
        .from(deliveries)
        .where(
          and(
            eq(deliveries.status, 'pending'),
            eq(deliveries.channel, channel),
            eq(deliveries.target, target),
            eq(deliveries.bundle, bundle),
            dueBy === undefined ? undefined : lte(deliveries.dueAt, dueBy),
          ),
        )
        .orderBy(asc(deliveries.createdAt))
        .all();
    },
    /** The last delivered message of a target and bundle (batching: at most one per hour). */
    lastDeliveredAt(channel: string, target: string, bundle: string): number | null {
      const row = db
        .select({ at: sql<number | null>`max(${deliveries.deliveredAt})` })
        .from(deliveries)
        .where(
          and(
            eq(deliveries.status, 'delivered'),
            eq(deliveries.channel, channel),
            eq(deliveries.target, target),
            eq(deliveries.bundle, bundle),
          ),
        )
        .get();
      return row?.at ?? null;
    },
    updateDeliveries(ids: readonly string[], patch: Partial<DeliveryRow>): void {
      if (ids.length === 0) return;
      db.update(deliveries)
        .set(patch)
        .where(inArray(deliveries.id, [...ids]))
        .run();
    },
    /** A paused channel's pending deliveries wait, out of the due list, until it is resumed. */
    parkTarget(target: string): void {
      db.update(deliveries)
        .set({ dueAt: PARKED })
        .where(and(eq(deliveries.status, 'pending'), eq(deliveries.target, target)))
        .run();
    },
    unparkTarget(target: string, now: number): number {
      return db
        .update(deliveries)
        .set({ dueAt: now })
        .where(and(eq(deliveries.status, 'pending'), eq(deliveries.target, target), eq(deliveries.dueAt, PARKED)))
        .run().changes;
    },
    cancelPendingForTarget(target: string, reason: string, at: number): void {
      db.update(deliveries)
        .set({ status: 'cancelled', lastError: reason, lastAttemptAt: at })
        .where(and(eq(deliveries.status, 'pending'), eq(deliveries.target, target)))
        .run();
    },
    listDeliveries(filter: DeliveryFilter): DeliveryWithEvent[] {
      const where: SQL[] = [];
      if (filter.target) where.push(eq(deliveries.target, filter.target));
      if (filter.channel) where.push(eq(deliveries.channel, filter.channel));
      if (filter.status) where.push(eq(deliveries.status, filter.status));
      if (filter.eventType) where.push(eq(events.type, filter.eventType));
      if (filter.before) {
        const { createdAt, id } = filter.before;
        where.push(
          sql`(${deliveries.createdAt} < ${createdAt}
            OR (${deliveries.createdAt} = ${createdAt} AND ${deliveries.id} < ${id}))`,
        );
      }
      return db
        .select({ delivery: deliveries, eventType: events.type, eventClientId: events.clientId })
        .from(deliveries)
        .innerJoin(events, eq(events.id, deliveries.eventId))
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
        .limit(filter.limit + 1)
        .all()
        .map((r) => ({ ...r.delivery, eventType: r.eventType, eventClientId: r.eventClientId }));
    },
    /** Finished deliveries older than `before` go (the events stay: they are the history). */
    pruneDeliveries(before: number): number {
      return db
        .delete(deliveries)
        .where(and(sql`${deliveries.status} != 'pending'`, lt(deliveries.createdAt, before)))
        .run().changes;
    },

    // Admin email preferences.
    prefsOf(adminId: string): NotifyPrefRow[] {
      return db.select().from(notifyPrefs).where(eq(notifyPrefs.adminId, adminId)).all();
    },
    allPrefs(): NotifyPrefRow[] {
      return db.select().from(notifyPrefs).all();
    },
    putPref(row: NotifyPrefRow): void {
      db.insert(notifyPrefs)
        .values(row)
        .onConflictDoUpdate({ target: [notifyPrefs.adminId, notifyPrefs.eventType], set: { mode: row.mode } })
        .run();
    },

    // Unsubscribes.
    suppress(email: string, scope: string, at: number): void {
      db.insert(emailSuppressions).values({ email, scope, createdAt: at }).onConflictDoNothing().run();
    },
    isSuppressed(email: string, scope: string): boolean {
      return (
        db
          .select({ email: emailSuppressions.email })
          .from(emailSuppressions)
          .where(and(eq(emailSuppressions.email, email), eq(emailSuppressions.scope, scope)))
          .get() !== undefined
      );
    },
    unsuppress(email: string, scope: string): void {
      db.delete(emailSuppressions)
        .where(and(eq(emailSuppressions.email, email), eq(emailSuppressions.scope, scope)))
        .run();
    },
  };
}
