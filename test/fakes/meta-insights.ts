import { fromLocalInput } from '../../src/lib/zoned-time.js';
import { graphError } from './meta-graph.js';

/**
 * Page, post, video and Instagram insights as Graph serves them after the 2025–2026 removals
 * (docs/platforms/meta.md#results): per-object allow-lists of metric names, retired names refused
 * with #100 (one bad name fails the whole call), periods checked per metric, daily values stamped
 * at Pacific midnight closing the day, `data: []` for a valid metric without data.
 */

/** Names Meta removed (2023-12 … 2026-06): asking for any fails the whole call. */
export const RETIRED = new Set([
  'page_impressions',
  'page_impressions_unique',
  'page_impressions_paid',
  'page_impressions_paid_unique',
  'page_impressions_viral',
  'page_impressions_organic_v2',
  'page_posts_impressions',
  'page_posts_impressions_unique',
  'page_fans',
  'page_fan_adds',
  'page_fan_adds_unique',
  'page_fan_removes',
  'page_engaged_users',
  'page_consumptions',
  'page_video_views_unique',
  'post_impressions',
  'post_impressions_unique',
  'post_impressions_paid',
  'post_impressions_organic',
  'post_impressions_fan_unique',
  'post_video_views_10s',
  'total_video_impressions',
  'total_video_views_unique',
  'impressions',
  'plays',
  'clips_replays_count',
  'ig_reels_aggregated_all_plays_count',
  'video_views',
  'engagement',
  'carousel_album_impressions',
  'carousel_album_reach',
  'carousel_album_engagement',
  'carousel_album_saved',
  'taps_forward',
  'taps_back',
  'exits',
]);

type Period = 'day' | 'week' | 'days_28' | 'lifetime';

/** Page metrics and the periods each takes. */
export const PAGE_METRICS: Record<string, Period[]> = {
  page_media_view: ['day', 'week', 'days_28'],
  page_total_media_view_unique: ['day', 'week', 'days_28'],
  page_post_engagements: ['day', 'week', 'days_28'],
  page_follows: ['day'],
  page_daily_follows_unique: ['day'],
  page_daily_unfollows_unique: ['day'],
  page_views_total: ['day', 'week', 'days_28'],
  page_video_views: ['day', 'week', 'days_28'],
  page_total_actions: ['day', 'week', 'days_28'],
};

/** Post metrics (lifetime only). */
export const POST_METRICS = new Set([
  'post_media_view',
  'post_total_media_view_unique',
  'post_clicks',
  'post_clicks_by_type',
  'post_reactions_by_type_total',
  'post_reactions_like_total',
  'post_video_views',
]);

/** `/{video-id}/video_insights` metrics (lifetime). */
export const VIDEO_METRICS = new Set([
  'total_video_views',
  'total_video_view_total_time',
  'total_video_avg_time_watched',
  'blue_reels_play_count',
  'fb_reels_total_plays',
  'post_video_avg_time_watched',
  'post_video_view_time',
  'post_video_social_actions',
]);

export type IgProduct = 'FEED' | 'REELS' | 'STORY';

/** Instagram media metrics by media product type (a valid name on the wrong type is its own #100). */
export const IG_MEDIA_METRICS: Record<IgProduct, Set<string>> = {
  FEED: new Set([
    'views',
    'reach',
    'likes',
    'comments',
    'shares',
    'saved',
    'total_interactions',
    'follows',
    'profile_visits',
    'profile_activity',
  ]),
  REELS: new Set([
    'views',
    'reach',
    'likes',
    'comments',
    'shares',
    'saved',
    'total_interactions',
    'ig_reels_avg_watch_time',
    'ig_reels_video_view_total_time',
    'reels_skip_rate',
    'reposts',
  ]),
  STORY: new Set([
    'views',
    'reach',
    'shares',
    'total_interactions',
    'follows',
    'profile_visits',
    'profile_activity',
    'replies',
    'navigation',
  ]),
};
const IG_ALL_MEDIA = new Set(Object.values(IG_MEDIA_METRICS).flatMap((s) => [...s]));

/** Instagram account metrics: time series, totals (metric_type=total_value required), or both. */
const IG_USER_SERIES = new Set(['reach', 'follower_count']);
const IG_USER_TOTALS = new Set([
  'reach',
  'views',
  'accounts_engaged',
  'total_interactions',
  'likes',
  'comments',
  'shares',
  'saves',
  'replies',
  'reposts',
  'profile_links_taps',
  'follows_and_unfollows',
]);

const DAY_MS = 86_400_000;

const INVALID_METRIC = '(#100) The value must be a valid insights metric';

/** Pacific midnight that closes `day` (the `end_time` Meta stamps a day's value with). */
export function endOfDay(day: string): number {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  return fromLocalInput(`${next}T00:00`, 'America/Los_Angeles')!;
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

function seconds(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  // A bare date is that day in Meta's Pacific time, so `since=D` answers D's value first.
  if (/^\d{4}-\d{2}-\d{2}$/.test(value))
    return Math.floor(fromLocalInput(`${value}T00:00`, 'America/Los_Angeles')! / 1000);
  const s = /^\d+$/.test(value) ? Number(value) : Math.floor(Date.parse(value) / 1000);
  if (!Number.isFinite(s)) throw graphError(100, `(#100) Invalid ${name}: ${value}`);
  return s;
}

function metricList(query: Record<string, string>): string[] {
  const raw = query.metric;
  if (!raw) {
    throw graphError(3001, 'No metric was specified to be fetched. Please specify one or more metrics and try again.', {
      subcode: 1504028,
      userTitle: 'No Metric Specified',
      userMsg: 'No metric was specified to be fetched.',
    });
  }
  return raw
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
}

function entry(objectId: string, edge: string, name: string, period: string, values: unknown[]) {
  return {
    name,
    period,
    values,
    title: name.replace(/_/g, ' '),
    description: `Fake ${name}`,
    id: `${objectId}/${edge}/${name}/${period}`,
  };
}

export class InsightsStore {
  /** Lifetime values of a post, video or Instagram media, by metric (absent: no data). */
  readonly lifetime = new Map<string, Record<string, number | Record<string, number>>>();
  /** Daily values of a Page or Instagram account: object id → day (`YYYY-MM-DD`, Pacific) → metric → value. */
  readonly days = new Map<string, Map<string, Record<string, number>>>();
  /** Reactions, comments and shares of a Facebook post (node fields). */
  readonly engagement = new Map<string, { reactions: number; comments: number; shares: number }>();
  /** `followers_count` of a Page or Instagram account. */
  readonly followers = new Map<string, number>();
  /** Story viewers (fewer than 5: "(#10) Not enough viewers"). */
  readonly storyViewers = new Map<string, number>();

  /** Names refused as retired; `retire()` one to play Meta's next removal. */
  readonly retired = new Set(RETIRED);

  constructor(private readonly now: () => number) {}

  /** Meta removes this metric from today on. */
  retire(metric: string): void {
    this.retired.add(metric);
  }

  setDay(objectId: string, day: string, values: Record<string, number>): void {
    const days = this.days.get(objectId) ?? new Map<string, Record<string, number>>();
    days.set(day, { ...days.get(day), ...values });
    this.days.set(objectId, days);
  }

  setLifetime(objectId: string, values: Record<string, number | Record<string, number>>): void {
    this.lifetime.set(objectId, { ...this.lifetime.get(objectId), ...values });
  }

  /** `GET /{page-id}/insights`: day-based series, one entry per allowed period when `period` is absent. */
  page(pageId: string, query: Record<string, string>, selfUrl: string): unknown {
    const metrics = metricList(query);
    for (const m of metrics) if (this.retired.has(m) || !PAGE_METRICS[m]) throw graphError(100, INVALID_METRIC);
    const since = seconds(query.since, 'since');
    const until = seconds(query.until, 'until');
    const now = Math.floor(this.now() / 1000);
    const to = until ?? now;
    const from = since ?? to - 2 * 86400;
    if (to - from > 90 * 86400)
      throw graphError(100, '(#100) There cannot be more than 90 days (7776000 s) between since and until');
    const period = query.period as Period | undefined;
    if (period && !['day', 'week', 'days_28', 'month', 'lifetime', 'total_over_range'].includes(period))
      throw graphError(100, '(#100) period must be one of the following values: day, week, days_28, month, lifetime');
    const data: unknown[] = [];
    for (const m of metrics) {
      const allowed = PAGE_METRICS[m]!;
      if (period && !allowed.includes(period))
        throw graphError(100, `(#100) The metric ${m} does not support the period ${period}`);
      for (const p of period ? [period] : allowed) data.push(this.series(pageId, m, p, from, to));
    }
    const q = new URLSearchParams(query);
    const span = to - from;
    const link = (a: number, b: number) => {
      q.set('since', String(a));
      q.set('until', String(b));
      return `${selfUrl}?${q.toString()}`;
    };
    return { data, paging: { previous: link(from - span, from), next: link(to, to + span) } };
  }

  /** Values whose Pacific-midnight stamp falls in (since, until]; week/days_28 sum the days they close. */
  private series(objectId: string, metric: string, period: Period, from: number, to: number) {
    const days = this.days.get(objectId) ?? new Map<string, Record<string, number>>();
    const span = period === 'week' ? 7 : period === 'days_28' ? 28 : 1;
    const values: unknown[] = [];
    let day = new Date((from - 2 * 86400) * 1000).toISOString().slice(0, 10);
    for (let i = 0; i < 100; i++) {
      const end = endOfDay(day);
      if (end / 1000 > to) break;
      if (end / 1000 > from) {
        let sum: number | null = null;
        for (let k = 0; k < span; k++) {
          const d = new Date(Date.parse(`${day}T00:00:00Z`) - k * DAY_MS).toISOString().slice(0, 10);
          const v = days.get(d)?.[metric];
          if (v !== undefined) sum = (sum ?? 0) + v;
        }
        if (sum !== null) values.push({ value: sum, end_time: stamp(end) });
      }
      day = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
    }
    return entry(objectId, 'insights', metric, period, values);
  }

  /** `GET /{post-id}/insights` and `/{video-id}/video_insights`: lifetime values. */
  lifetimeInsights(
    objectId: string,
    edge: 'insights' | 'video_insights',
    query: Record<string, string>,
  ): { data: unknown[] } {
    const allowed = edge === 'insights' ? POST_METRICS : VIDEO_METRICS;
    const metrics = metricList(query);
    for (const m of metrics) if (this.retired.has(m) || !allowed.has(m)) throw graphError(100, INVALID_METRIC);
    if (query.period && query.period !== 'lifetime')
      throw graphError(100, `(#100) The period ${query.period} is not supported; post metrics are lifetime`);
    return { data: this.lifetimeEntries(objectId, edge, metrics) };
  }

  private lifetimeEntries(objectId: string, edge: string, metrics: string[]): unknown[] {
    const values = this.lifetime.get(objectId) ?? {};
    return metrics
      .filter((m) => values[m] !== undefined)
      .map((m) => entry(objectId, edge, m, 'lifetime', [{ value: values[m] }]));
  }

  /** `GET /{ig-media-id}/insights`: the allow-list of the media's product type; no period. */
  media(mediaId: string, product: IgProduct, createdAt: number, query: Record<string, string>): unknown {
    const metrics = metricList(query);
    for (const m of metrics) {
      if (this.retired.has(m))
        throw graphError(
          100,
          `(#100) Starting from version 22 and above, the ${m} metric is no longer supported for the queried media.`,
        );
      if (!IG_ALL_MEDIA.has(m))
        throw graphError(
          100,
          `(#100) metric[${metrics.indexOf(m)}] must be one of the following values: ${[...IG_ALL_MEDIA].join(', ')}`,
        );
      if (!IG_MEDIA_METRICS[product].has(m))
        throw graphError(
          100,
          `(#100) The Media Insights API does not support the ${m} metric for this media product type.`,
        );
    }
    if (query.period) throw graphError(100, '(#100) Media insights take no period');
    if (product === 'STORY') {
      if ((this.storyViewers.get(mediaId) ?? 100) < 5)
        throw graphError(10, '(#10) Not enough viewers for the media to show insights');
      // Story insights last 24 hours.
      if (this.now() - createdAt > DAY_MS) return { data: [] };
    }
    return { data: this.lifetimeEntries(mediaId, 'insights', metrics) };
  }

  /** `GET /{ig-user-id}/insights`: period required, totals need metric_type=total_value, 30 days at most. */
  igUser(igUserId: string, query: Record<string, string>): unknown {
    const metrics = metricList(query);
    if (!query.period) throw graphError(100, '(#100) The parameter period is required');
    const type = query.metric_type ?? 'time_series';
    for (const m of metrics) {
      if (this.retired.has(m))
        throw graphError(
          100,
          `(#100) Starting from version 22 and above, the ${m} metric is no longer supported for the queried user.`,
        );
      if (!IG_USER_SERIES.has(m) && !IG_USER_TOTALS.has(m))
        throw graphError(100, `(#100) metric[${metrics.indexOf(m)}] must be one of the following values: …`);
    }
    const needTotal = metrics.filter((m) => !IG_USER_SERIES.has(m));
    if (type !== 'total_value' && needTotal.length)
      throw graphError(
        100,
        `(#100) The following metrics (${needTotal.join(', ')}) ` +
          'should be specified with parameter metric_type=total_value',
      );
    if (type === 'total_value' && metrics.includes('follower_count'))
      throw graphError(100, '(#100) follower_count does not support metric_type=total_value');
    if (query.period !== 'day') throw graphError(100, `(#100) period ${query.period} is not supported`);
    const to = seconds(query.until, 'until') ?? Math.floor(this.now() / 1000);
    const from = seconds(query.since, 'since') ?? to - 86400;
    if (to - from > 30 * 86400)
      throw graphError(100, '(#100) There cannot be more than 30 days between since and until');
    if (metrics.includes('follower_count') && (this.followers.get(igUserId) ?? 0) < 100)
      throw graphError(100, '(#100) follower_count is not available for accounts with fewer than 100 followers');
    if (type === 'time_series') {
      return { data: metrics.map((m) => ({ ...this.series(igUserId, m, 'day', from, to) })) };
    }
    const days = this.days.get(igUserId) ?? new Map<string, Record<string, number>>();
    const data = metrics.flatMap((m) => {
      let total: number | null = null;
      for (const [day, values] of days) {
        const end = endOfDay(day) / 1000;
        // The day lies inside the window when it closes after since and no later than until.
        if (end > from && end <= to && values[m] !== undefined) total = (total ?? 0) + values[m]!;
      }
      if (total === null) return [];
      return [
        {
          name: m,
          period: 'day',
          title: m,
          description: `Fake ${m}`,
          total_value: { value: total },
          id: `${igUserId}/insights/${m}/day`,
        },
      ];
    });
    return { data };
  }
}
