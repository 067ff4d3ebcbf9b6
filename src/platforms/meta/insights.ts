// Results from Facebook Pages and Instagram professional accounts (docs/platforms/meta.md#results):
// the InsightsReaders of the Meta network, sharing the publishers' Graph client (so its usage
// headers pace both) and asking only for metric names Meta still serves.
import type { AccountMetricValues, PostMetricValues } from '../../domain/metrics.js';
import type { Clock } from '../../lib/clock.js';
import type {
  AccountDayReading,
  InsightsAccount,
  InsightsCallContext,
  InsightsPost,
  InsightsReader,
  InsightsResult,
  PostReading,
  RefusedMetric,
} from '../insights.js';
import { record, type GraphClient } from './graph.js';
import {
  addDays,
  chunks,
  daily,
  type InsightsCall,
  isRecent,
  lifetime,
  pacificMidnight,
  readMetrics,
  refusalOf,
  rethrow,
  window,
} from './insights-calls.js';

/**
 * Facebook post insights after the 2025-11-15 and 2026-06-15 removals: views and unique viewers
 * replace impressions and reach
 * (https://developers.facebook.com/documentation/pages-api/platforminsights/page/deprecated-metrics).
 */
const FB_POST_METRICS = ['post_media_view', 'post_total_media_view_unique', 'post_clicks'] as const;
/**
 * Videos and Reels stored by video id have `video_insights`, not `insights`
 * (https://developers.facebook.com/docs/graph-api/reference/video/video_insights).
 */
const FB_VIDEO_METRICS = ['total_video_views', 'total_video_view_total_time'] as const;
/** Page days (https://developers.facebook.com/documentation/pages-api/platforminsights/page). */
const FB_PAGE_METRICS = ['page_media_view', 'page_total_media_view_unique', 'page_post_engagements', 'page_follows'];
/** Reactions, comments and shares as plain counters on the post: no insights metric name involved. */
const FB_POST_FIELDS = 'shares,comments.limit(0).summary(true),reactions.limit(0).summary(true)';

/**
 * Instagram media metrics valid for each kind of media: `saved` (not `saves`) on media, no likes or
 * saves on stories, watch time on Reels only
 * (https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights).
 */
const IG_MEDIA_METRICS: Record<IgKind, readonly string[]> = {
  image: ['views', 'reach', 'likes', 'comments', 'shares', 'saved', 'total_interactions', 'follows', 'profile_visits'],
  carousel: ['views', 'reach', 'likes', 'comments', 'shares', 'saved', 'total_interactions'],
  video: ['views', 'reach', 'likes', 'comments', 'shares', 'saved'],
  reel: [
    'views',
    'reach',
    'likes',
    'comments',
    'shares',
    'saved',
    'total_interactions',
    'ig_reels_video_view_total_time',
  ],
  story: ['views', 'reach', 'shares', 'total_interactions', 'follows', 'profile_visits', 'replies'],
};
/**
 * Account totals that need `metric_type=total_value`
 * (https://developers.facebook.com/docs/instagram-platform/api-reference/instagram-user/insights).
 */
const IG_TOTAL_METRICS = ['views', 'total_interactions'];

type IgKind = 'image' | 'carousel' | 'video' | 'reel' | 'story';

/** Page insights take 90 days per request; Instagram account insights 30. */
const FB_WINDOW_DAYS = 90;
const IG_WINDOW_DAYS = 30;

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function summaryCount(value: unknown): number | null {
  return num(record(record(value)?.summary)?.total_count);
}

function context(
  graph: GraphClient,
  account: InsightsAccount,
  surface: 'facebook' | 'instagram',
  ctx: InsightsCallContext,
) {
  const refusals: RefusedMetric[] = [];
  const call: InsightsCall = { graph, account, surface, signal: ctx.signal, refused: ctx.refused, refusals };
  return { call, refusals };
}

/**
 * A post Meta says no longer exists (code 100 subcode 33), or one it refuses to measure at all
 * (another code 100 on the post itself): stored once with Meta's words, never asked again.
 */
function goneReading(post: InsightsPost, err: unknown): PostReading {
  return { postId: post.postId, values: {}, raw: {}, gone: (err as Error).message };
}

abstract class MetaReader implements InsightsReader {
  abstract readonly platform: 'facebook' | 'instagram';
  /** Each post is its own calls (Graph has no multi-post insights call that survives one deleted post). */
  readonly batchSize = 10;

  constructor(
    protected readonly graph: GraphClient,
    protected readonly clock: Clock,
  ) {}

  abstract readPost(call: InsightsCall, post: InsightsPost): Promise<PostReading>;
  abstract accountMetrics(
    account: InsightsAccount,
    days: readonly string[],
    ctx: InsightsCallContext,
  ): Promise<InsightsResult<AccountDayReading>>;

  async postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    ctx: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    const { call, refusals } = context(this.graph, account, this.platform, ctx);
    const readings: PostReading[] = [];
    for (const post of posts) {
      try {
        readings.push(await this.readPost(call, post));
      } catch (err) {
        const why = refusalOf(err);
        if (why === 'gone' || why === 'metric') readings.push(goneReading(post, err));
        else rethrow(err, this.platform === 'facebook' ? 'Facebook' : 'Instagram');
      }
    }
    return { readings, refused: refusals };
  }

  usage(account: InsightsAccount): number | null {
    return this.graph.usageOf(account.externalId);
  }

  /** The account's follower total now, for today's (or yesterday's) reading only: never back-filled. */
  protected async followersNow(call: InsightsCall): Promise<number | null> {
    const { data } = await call.graph.call({
      path: `/${call.account.externalId}`,
      token: call.account.accessToken,
      params: { fields: 'followers_count' },
      surface: call.surface,
      objectId: call.account.externalId,
      signal: call.signal,
    });
    return num(record(data)?.followers_count);
  }
}

export class FacebookInsightsReader extends MetaReader {
  readonly platform = 'facebook' as const;

  async readPost(call: InsightsCall, post: InsightsPost): Promise<PostReading> {
    // A feed post id is `{page-id}_{post-id}`; a bare id is a video (or Reel) node, or a photo
    // whose feed post Herald did not learn when publishing (its `page_story_id`).
    if (!post.externalId.includes('_') && post.media[0] === 'video') return this.readVideo(call, post);
    const id = post.externalId.includes('_') ? post.externalId : await this.storyOfPhoto(call, post.externalId);
    const { data } = await call.graph.call({
      path: `/${id}`,
      token: call.account.accessToken,
      params: { fields: FB_POST_FIELDS },
      surface: 'facebook',
      objectId: call.account.externalId,
      signal: call.signal,
    });
    const node = record(data);
    const entries = await readMetrics(call, `/${id}/insights`, 'post', FB_POST_METRICS, { period: 'lifetime' });
    const raw: Record<string, number | null> = {
      reactions: summaryCount(node?.reactions),
      comments: summaryCount(node?.comments),
      // `shares` is absent when nobody shared the post.
      shares: num(record(node?.shares)?.count) ?? 0,
    };
    for (const metric of entries.keys()) raw[metric] = lifetime(entries, metric);
    const values: PostMetricValues = {
      views: raw.post_media_view ?? null,
      reach: raw.post_total_media_view_unique ?? null,
      likes: raw.reactions ?? null,
      comments: raw.comments ?? null,
      shares: raw.shares ?? null,
      saves: null,
      clicks: raw.post_clicks ?? null,
      follows: null,
      watchTimeMs: null,
    };
    return { postId: post.postId, values, raw };
  }

  private async storyOfPhoto(call: InsightsCall, photoId: string): Promise<string> {
    const { data } = await call.graph.call({
      path: `/${photoId}`,
      token: call.account.accessToken,
      params: { fields: 'page_story_id' },
      surface: 'facebook',
      objectId: call.account.externalId,
      signal: call.signal,
    });
    return String(record(data)?.page_story_id ?? photoId);
  }

  private async readVideo(call: InsightsCall, post: InsightsPost): Promise<PostReading> {
    const id = post.externalId;
    const entries = await readMetrics(call, `/${id}/video_insights`, 'video', FB_VIDEO_METRICS);
    const raw: Record<string, number | null> = {};
    for (const metric of entries.keys()) raw[metric] = lifetime(entries, metric);
    const values: PostMetricValues = {
      views: raw.total_video_views ?? null,
      watchTimeMs: raw.total_video_view_total_time ?? null,
    };
    return { postId: post.postId, values, raw };
  }

  async accountMetrics(
    account: InsightsAccount,
    days: readonly string[],
    ctx: InsightsCallContext,
  ): Promise<InsightsResult<AccountDayReading>> {
    const { call, refusals } = context(this.graph, account, 'facebook', ctx);
    try {
      const byDay = new Map<string, Record<string, number | null>>();
      for (const run of chunks(days, FB_WINDOW_DAYS)) {
        const entries = await readMetrics(call, `/${account.externalId}/insights`, 'page', FB_PAGE_METRICS, {
          period: 'day',
          ...window(run[0]!, run.at(-1)!),
        });
        for (const metric of entries.keys()) {
          for (const [day, value] of daily(entries, metric)) {
            if (!run.includes(day)) continue;
            byDay.set(day, { ...byDay.get(day), [metric]: value });
          }
        }
      }
      const latest = [...days].sort().at(-1);
      if (latest && isRecent(latest, this.clock.now(), account.timezone) && byDay.get(latest)?.page_follows == null) {
        const followers = await this.followersNow(call);
        byDay.set(latest, { ...byDay.get(latest), followers_count: followers });
      }
      const readings = [...byDay].map(([day, raw]): AccountDayReading => {
        const values: AccountMetricValues = {
          views: raw.page_media_view ?? null,
          reach: raw.page_total_media_view_unique ?? null,
          engagements: raw.page_post_engagements ?? null,
        };
        const followers = raw.page_follows ?? raw.followers_count;
        return { day, values: followers === undefined ? values : { ...values, followers }, raw };
      });
      return { readings: readings.sort((a, b) => a.day.localeCompare(b.day)), refused: refusals };
    } catch (err) {
      rethrow(err, 'Facebook');
    }
  }
}

function igKind(node: Record<string, unknown> | null): IgKind {
  const product = String(node?.media_product_type ?? 'FEED');
  const type = String(node?.media_type ?? 'IMAGE');
  if (product === 'STORY') return 'story';
  if (product === 'REELS') return 'reel';
  if (type === 'CAROUSEL_ALBUM') return 'carousel';
  return type === 'VIDEO' ? 'video' : 'image';
}

export class InstagramInsightsReader extends MetaReader {
  readonly platform = 'instagram' as const;

  async readPost(call: InsightsCall, post: InsightsPost): Promise<PostReading> {
    const id = post.externalId;
    const { data } = await call.graph.call({
      path: `/${id}`,
      token: call.account.accessToken,
      params: { fields: 'media_type,media_product_type,like_count,comments_count' },
      surface: 'instagram',
      objectId: call.account.externalId,
      signal: call.signal,
    });
    const node = record(data);
    const kind = igKind(node);
    const raw: Record<string, number | null> = {
      like_count: num(node?.like_count),
      comments_count: num(node?.comments_count),
    };
    try {
      const entries = await readMetrics(call, `/${id}/insights`, kind, IG_MEDIA_METRICS[kind]);
      for (const metric of entries.keys()) raw[metric] = lifetime(entries, metric);
    } catch (err) {
      // A story seen by fewer than 5 people, or media from before the account turned professional,
      // has no insights: unknown, not a permission problem.
      if (refusalOf(err) !== 'unavailable') throw err;
    }
    const values: PostMetricValues = {
      views: raw.views ?? null,
      reach: raw.reach ?? null,
      likes: raw.likes ?? raw.like_count ?? null,
      comments: raw.comments ?? raw.comments_count ?? null,
      shares: raw.shares ?? null,
      saves: raw.saved ?? null,
      clicks: null,
      follows: raw.follows ?? null,
      watchTimeMs: raw.ig_reels_video_view_total_time ?? null,
    };
    return { postId: post.postId, values, raw };
  }

  async accountMetrics(
    account: InsightsAccount,
    days: readonly string[],
    ctx: InsightsCallContext,
  ): Promise<InsightsResult<AccountDayReading>> {
    const { call, refusals } = context(this.graph, account, 'instagram', ctx);
    const path = `/${account.externalId}/insights`;
    try {
      const byDay = new Map<string, Record<string, number | null>>([...new Set(days)].map((d) => [d, {}]));
      // Reach per day as a time series (a day's unique reach: never summed across days).
      for (const run of chunks(days, IG_WINDOW_DAYS)) {
        const entries = await readMetrics(call, path, 'account', ['reach'], {
          period: 'day',
          metric_type: 'time_series',
          ...window(run[0]!, run.at(-1)!),
        });
        for (const [day, value] of daily(entries, 'reach'))
          if (byDay.has(day)) byDay.set(day, { ...byDay.get(day), reach: value });
      }
      // Views and interactions are totals over a window only: one Pacific day per call.
      for (const day of byDay.keys()) {
        const entries = await readMetrics(call, path, 'account', IG_TOTAL_METRICS, {
          period: 'day',
          metric_type: 'total_value',
          since: pacificMidnight(day),
          until: pacificMidnight(addDays(day, 1)),
        });
        const raw = { ...byDay.get(day) };
        for (const metric of entries.keys()) raw[metric] = lifetime(entries, metric);
        byDay.set(day, raw);
      }
      const latest = [...byDay.keys()].sort().at(-1);
      if (latest && isRecent(latest, this.clock.now(), account.timezone))
        byDay.set(latest, { ...byDay.get(latest), followers_count: await this.followersNow(call) });
      const readings = [...byDay]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, raw]): AccountDayReading => {
          const values: AccountMetricValues = {
            views: raw.views ?? null,
            reach: raw.reach ?? null,
            engagements: raw.total_interactions ?? null,
          };
          return {
            day,
            values: raw.followers_count === undefined ? values : { ...values, followers: raw.followers_count },
            raw,
          };
        });
      return { readings, refused: refusals };
    } catch (err) {
      rethrow(err, 'Instagram');
    }
  }
}
