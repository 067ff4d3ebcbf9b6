import { eq, sql } from 'drizzle-orm';
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
    /**
     * An account's day; read again while the network still revises it, so the latest reading wins,
     * except that a value the latest reading lacks (null) keeps the one read before (Instagram gives
     * followers only for the last two days: re-reading an older day must not erase them).
     */
    upsertAccountDay(row: AccountMetricsRow): void {
      const keep = (column: 'followers' | 'views' | 'reach' | 'engagements') =>
        sql.raw(`coalesce(excluded.${accountMetrics[column].name}, account_metrics.${accountMetrics[column].name})`);
      db.insert(accountMetrics)
        .values(row)
        .onConflictDoUpdate({
          target: [accountMetrics.accountId, accountMetrics.day],
          set: {
            collectedAt: row.collectedAt,
            followers: keep('followers'),
            views: keep('views'),
            reach: keep('reach'),
            engagements: keep('engagements'),
            raw: sql`json_patch(account_metrics.raw, excluded.raw)`,
          },
        })
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
    /** True when this refusal is new (and so worth a log line). */
    addRefusal(row: MetricRefusalRow): boolean {
      return db.insert(metricRefusals).values(row).onConflictDoNothing().run().changes === 1;
    },
  };
}
