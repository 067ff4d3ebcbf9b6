import type { PostMetricValues } from '../../src/domain/metrics.js';
import type { TestHerald } from './herald.js';

const HOUR = 3_600_000;

const BLANK = {
  views: null,
  reach: null,
  likes: null,
  comments: null,
  shares: null,
  saves: null,
  clicks: null,
  follows: null,
  watchTimeMs: null,
} as Record<(typeof METRICS)[number], number | null>;
const METRICS = ['views', 'reach', 'likes', 'comments', 'shares', 'saves', 'clicks', 'follows', 'watchTimeMs'] as const;

/**
 * A post published at `at` on an account, with snapshots at the given horizons, written through
 * the same service and repos the collector uses.
 */
export function publishedWithResults(
  t: TestHerald,
  account: { id: string; clientId: string; platform: string },
  at: number,
  snapshots: Record<string, Partial<PostMetricValues>>,
  extra: { caption?: string; mediaIds?: string[]; topic?: string; ruleId?: string } = {},
): string {
  const { services, repos } = t.herald;
  const post = services.posts.create(
    {
      accountId: account.id,
      caption: extra.caption ?? `post at ${new Date(at).toISOString()}`,
      mediaIds: extra.mediaIds,
    },
    { kind: 'system' },
  );
  repos.posts.update(post.id, {
    status: 'published',
    publishedAt: at,
    externalId: `x_${post.id}`,
    topic: extra.topic ?? null,
    ruleId: extra.ruleId ?? null,
  });
  const offsets: Record<string, number> = { '1h': HOUR, '24h': 24 * HOUR, '7d': 168 * HOUR, '30d': 720 * HOUR };
  for (const [horizon, values] of Object.entries(snapshots))
    repos.metrics.insertPostSnapshot({
      postId: post.id,
      horizon,
      clientId: account.clientId,
      accountId: account.id,
      platform: account.platform,
      collectedAt: at + (offsets[horizon] ?? HOUR),
      ...BLANK,
      ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)),
      raw: {},
      error: null,
    });
  return post.id;
}

/** Daily account numbers (followers, views, engagements) for each day given. */
export function accountDays(
  t: TestHerald,
  account: { id: string; clientId: string; platform: string },
  days: Record<string, { followers?: number; views?: number; engagements?: number }>,
): void {
  for (const [day, v] of Object.entries(days))
    t.herald.repos.metrics.upsertAccountDay({
      accountId: account.id,
      day,
      clientId: account.clientId,
      platform: account.platform,
      collectedAt: Date.parse(`${day}T23:00:00Z`),
      followers: v.followers ?? null,
      views: v.views ?? null,
      reach: null,
      engagements: v.engagements ?? null,
      raw: {},
    });
}
