// Results from YouTube (docs/platforms/youtube.md#results): videos.list `part=statistics` for up to
// 50 videos a call, channels.list `part=statistics` for the subscriber count, and watch time from
// YouTube Analytics when the channel granted yt-analytics.readonly. Each Data API call is counted
// against the project's daily quota that uploads share; results stop at half of it.
import type {
  AccountDayReading,
  InsightsAccount,
  InsightsCallContext,
  InsightsPost,
  InsightsReader,
  InsightsResult,
  PostReading,
} from '../insights.js';
import { InsightsPermissionError } from '../insights.js';
import { PlatformError } from '../types.js';
import { YOUTUBE_READONLY, YT_ANALYTICS_READONLY } from './settings.js';
import type { YouTubeApi } from './youtube-api.js';
import { YOUTUBE } from './youtube-video.js';

/** `id` takes at most 50 ids a call (https://developers.google.com/youtube/v3/docs/videos/list). */
const VIDEOS_MAX = 50;
/** Results may use this share of the day's units; the rest stays for uploads (100 units each). */
const RESULTS_SHARE = 0.5;

/** What results need, and what for (README, "Connecting YouTube"). */
export const YOUTUBE_INSIGHT_SCOPES = [
  { scope: YOUTUBE_READONLY, why: 'read the views, likes and comments of uploaded videos and the subscriber count' },
] as const;

/** YouTube's counts are decimal strings; an absent one (likes hidden by the owner) is unknown. */
function count(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

interface VideoStats {
  readonly id?: string;
  readonly statistics?: { viewCount?: string; likeCount?: string; commentCount?: string };
}

function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export class YouTubeInsights implements InsightsReader {
  readonly platform = YOUTUBE;
  readonly batchSize = VIDEOS_MAX;

  constructor(
    private readonly api: YouTubeApi,
    private readonly now: () => number,
  ) {}

  /** The day's quota used, 0–1: collection leaves YouTube alone above half. */
  usage(): number {
    return this.api.quota.used() / this.api.quota.daily;
  }

  async postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    const readings: PostReading[] = [];
    const watched = this.canReadWatchTime(account) ? await this.watchTime(account, posts, context) : null;
    for (let i = 0; i < posts.length; i += VIDEOS_MAX) {
      const batch = posts.slice(i, i + VIDEOS_MAX);
      const data = await this.list<{ items?: VideoStats[] }>(
        account,
        'videos',
        {
          part: 'statistics',
          id: batch.map((p) => p.externalId).join(','),
          maxResults: String(VIDEOS_MAX),
        },
        context,
      );
      const byId = new Map((data.items ?? []).map((v) => [v.id, v.statistics ?? {}]));
      for (const post of batch) {
        const stats = byId.get(post.externalId);
        // A deleted video is left out of the answer (favoriteCount is always 0 and not read).
        if (!stats) {
          readings.push({ postId: post.postId, values: {}, raw: {}, gone: 'The video is no longer on YouTube.' });
          continue;
        }
        const minutes = watched ? (watched.get(post.externalId) ?? 0) : null;
        const raw = {
          viewCount: count(stats.viewCount),
          likeCount: count(stats.likeCount),
          commentCount: count(stats.commentCount),
          ...(watched ? { estimatedMinutesWatched: minutes } : {}),
        };
        readings.push({
          postId: post.postId,
          values: {
            views: raw.viewCount,
            likes: raw.likeCount,
            comments: raw.commentCount,
            watchTimeMs: minutes === null ? null : Math.round(minutes * 60_000),
          },
          raw,
        });
      }
    }
    return { readings, refused: [] };
  }

  async accountMetrics(
    account: InsightsAccount,
    days: readonly string[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<AccountDayReading>> {
    const day = days[days.length - 1];
    if (!day) return { readings: [], refused: [] };
    const data = await this.list<{
      items?: { statistics?: { subscriberCount?: string; hiddenSubscriberCount?: boolean; viewCount?: string } }[];
    }>(account, 'channels', { part: 'statistics', id: account.externalId }, context);
    const stats = data.items?.[0]?.statistics;
    if (!stats) throw new InsightsPermissionError('YouTube no longer shows this channel to Herald; reconnect YouTube.');
    // A channel that hides its subscriber count reports none: unknown, not 0.
    const followers = stats.hiddenSubscriberCount ? null : count(stats.subscriberCount);
    return {
      readings: [
        { day, values: { followers }, raw: { subscriberCount: followers, viewCount: count(stats.viewCount) } },
      ],
      refused: [],
    };
  }

  private canReadWatchTime(account: InsightsAccount): boolean {
    return account.scopes.split(/[\s,]+/).includes(YT_ANALYTICS_READONLY);
  }

  /** Minutes watched per video since the earliest publishing day, one report for the batch. */
  private async watchTime(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    context: InsightsCallContext,
  ): Promise<Map<string, number> | null> {
    if (posts.length === 0) return new Map();
    const start = utcDay(Math.min(...posts.map((p) => p.publishedAt)));
    try {
      const report = await this.api.report<{ rows?: unknown[][] }>(
        account.accessToken,
        {
          ids: 'channel==MINE',
          startDate: start,
          endDate: utcDay(this.now()),
          metrics: 'estimatedMinutesWatched',
          dimensions: 'video',
          filters: `video==${posts.map((p) => p.externalId).join(',')}`,
        },
        context.signal,
      );
      return new Map((report.rows ?? []).map((row) => [String(row[0]), count(row[1]) ?? 0]));
    } catch (err) {
      // Watch time is extra: a refused report leaves it unknown and the statistics are still read.
      if (err instanceof PlatformError && err.kind !== 'rate_limited' && err.kind !== 'transient') return null;
      throw err;
    }
  }

  private async list<T>(
    account: InsightsAccount,
    path: string,
    query: Record<string, string>,
    context: InsightsCallContext,
  ): Promise<T> {
    const quota = this.api.quota;
    if (quota.used() + 1 > quota.daily * RESULTS_SHARE)
      throw new PlatformError(
        'rate_limited',
        'Results have used their half of the YouTube quota for today; the rest is kept for uploads.',
        'results_quota_share',
        { retryAfterMs: quota.untilReset(), scope: 'platform' },
      );
    try {
      return await this.api.list<T>(account.accessToken, path, query, context.signal);
    } catch (err) {
      if (err instanceof PlatformError && (err.code === 'insufficientPermissions' || err.code === 'forbidden'))
        throw new InsightsPermissionError(
          'YouTube was connected without permission to read videos; connect YouTube again and allow it.',
        );
      throw err;
    }
  }
}
