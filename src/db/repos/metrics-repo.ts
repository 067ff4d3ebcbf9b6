import { and, eq } from 'drizzle-orm';
import type { Database } from '../client.js';
import { accountMetrics, metricRefusals, postMetrics } from '../schema/index.js';

export type PostMetricsRow = typeof postMetrics.$inferSelect;
export type AccountMetricsRow = typeof accountMetrics.$inferSelect;
export type MetricRefusalRow = typeof metricRefusals.$inferSelect;

export function metricsRepo({ db }: Database) {
  return {
    /** A post's snapshot at a horizon; the first one written stands (collection is idempotent). */
    insertPostSnapshot(row: PostMetricsRow): boolean {
      return db.insert(postMetrics).values(row).onConflictDoNothing().run().changes === 1;
    },
    postSnapshots(postId: string): PostMetricsRow[] {
      return db.select().from(postMetrics).where(eq(postMetrics.postId, postId)).orderBy(postMetrics.collectedAt).all();
    },
    /** An account's day; read again while the network still revises it, so the latest reading wins. */
    upsertAccountDay(row: AccountMetricsRow): void {
      const { accountId: _a, day: _d, ...values } = row;
      db.insert(accountMetrics)
        .values(row)
        .onConflictDoUpdate({ target: [accountMetrics.accountId, accountMetrics.day], set: values })
        .run();
    },
    accountDays(accountId: string): AccountMetricsRow[] {
      return db
        .select()
        .from(accountMetrics)
        .where(eq(accountMetrics.accountId, accountId))
        .orderBy(accountMetrics.day)
        .all();
    },

    refusals(platform: string): MetricRefusalRow[] {
      return db.select().from(metricRefusals).where(eq(metricRefusals.platform, platform)).all();
    },
    allRefusals(): MetricRefusalRow[] {
      return db.select().from(metricRefusals).orderBy(metricRefusals.refusedAt).all();
    },
    /** True when this refusal is new (and so worth a log line). */
    addRefusal(row: MetricRefusalRow): boolean {
      return db.insert(metricRefusals).values(row).onConflictDoNothing().run().changes === 1;
    },
    clearRefusal(platform: string, metric: string, surface: string): void {
      db.delete(metricRefusals)
        .where(
          and(
            eq(metricRefusals.platform, platform),
            eq(metricRefusals.metric, metric),
            eq(metricRefusals.surface, surface),
          ),
        )
        .run();
    },
  };
}
