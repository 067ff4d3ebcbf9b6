// Results: the normalised metric names every network's numbers are stored under, and when a
// published post is measured (docs/results.md).

/** Per-post metrics, normalised across networks; a network that does not report one stores null. */
export const POST_METRICS = [
  'views',
  'reach',
  'likes',
  'comments',
  'shares',
  'saves',
  'clicks',
  'follows',
  'watchTimeMs',
] as const;
export type PostMetric = (typeof POST_METRICS)[number];
export type PostMetricValues = { [K in PostMetric]?: number | null };

/** Per-account daily metrics. `followers` is the count at the end of the day; the rest are that day's. */
export const ACCOUNT_METRICS = ['followers', 'views', 'reach', 'engagements'] as const;
export type AccountMetric = (typeof ACCOUNT_METRICS)[number];
export type AccountMetricValues = { [K in AccountMetric]?: number | null };

/** When a published post is measured, counted from its publishing time; after the last, never again. */
export const HORIZONS = [
  { id: '1h', afterMs: 60 * 60_000 },
  { id: '24h', afterMs: 24 * 60 * 60_000 },
  { id: '7d', afterMs: 7 * 24 * 60 * 60_000 },
  { id: '30d', afterMs: 30 * 24 * 60 * 60_000 },
] as const;
export type Horizon = (typeof HORIZONS)[number]['id'];

/**
 * Engagements of a post: the interactions people chose to make. Views and reach are exposure,
 * not engagement; follows are counted on the account, not here.
 */
export function engagementsOf(values: PostMetricValues): number {
  return (
    (values.likes ?? 0) + (values.comments ?? 0) + (values.shares ?? 0) + (values.saves ?? 0) + (values.clicks ?? 0)
  );
}

/**
 * Engagement rate: engagements per person reached (or per view where reach is unknown), so a post
 * on a big account does not outrank a better post on a small one. null when neither is known.
 */
export function engagementRate(values: PostMetricValues): number | null {
  const base = values.reach ?? values.views ?? null;
  if (!base) return null;
  return engagementsOf(values) / base;
}
