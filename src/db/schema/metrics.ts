import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { accounts } from './accounts.js';
import { clients } from './clients.js';
import { posts } from './posts.js';

const metricColumns = {
  views: integer('views'),
  reach: integer('reach'),
  likes: integer('likes'),
  comments: integer('comments'),
  shares: integer('shares'),
  saves: integer('saves'),
  clicks: integer('clicks'),
  follows: integer('follows'),
  watchTimeMs: integer('watch_time_ms'),
};

/**
 * A published post's numbers at one horizon after publishing (1h, 24h, 7d, 30d): cumulative
 * totals as the network reported them then, under normalised names (null: not reported), with the
 * network's own names and values in `raw`. Keyed by (post, horizon): collecting twice overwrites
 * nothing twice. A post the network no longer has keeps a row with `error`, so it is not asked again.
 */
export const postMetrics = sqliteTable(
  'post_metrics',
  {
    postId: text('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    horizon: text('horizon').notNull(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    accountId: text('account_id').notNull(),
    platform: text('platform').notNull(),
    collectedAt: integer('collected_at').notNull(),
    ...metricColumns,
    raw: text('raw', { mode: 'json' }).$type<Record<string, number | null>>().notNull(),
    error: text('error'),
  },
  (t) => [
    primaryKey({ columns: [t.postId, t.horizon] }),
    index('post_metrics_client_idx').on(t.clientId, t.collectedAt),
    index('post_metrics_account_idx').on(t.accountId, t.collectedAt),
  ],
);

/**
 * An account's day (its own calendar day as the network counts it, `YYYY-MM-DD`): followers at the
 * end of the day, and the day's views, reach and engagements where the network has them.
 */
export const accountMetrics = sqliteTable(
  'account_metrics',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    collectedAt: integer('collected_at').notNull(),
    followers: integer('followers'),
    views: integer('views'),
    reach: integer('reach'),
    engagements: integer('engagements'),
    raw: text('raw', { mode: 'json' }).$type<Record<string, number | null>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.day] }), index('account_metrics_client_idx').on(t.clientId, t.day)],
);

/**
 * A metric a network refused ("not a valid insights metric"): logged once, then never asked for
 * again on that platform and surface (docs/results.md#refused-metrics).
 */
export const metricRefusals = sqliteTable(
  'metric_refusals',
  {
    platform: text('platform').notNull(),
    /** The network's own metric name, and what it was asked of (post, reel, story, account…). */
    metric: text('metric').notNull(),
    surface: text('surface').notNull(),
    message: text('message').notNull(),
    refusedAt: integer('refused_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.metric, t.surface] })],
);
