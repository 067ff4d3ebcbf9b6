// TikTok results through the Display API (docs/platforms/tiktok.md#results): a video's counters
// from video/query, the account's follower count from user/info. Both are totals as they stand
// now; TikTok keeps no history, so the account's count is stamped on the day it is read.
import type { Clock } from '../../lib/clock.js';
import { dayForCurrentTotals } from '../current-day.js';
import {
  InsightsPermissionError,
  type AccountDayReading,
  type InsightsAccount,
  type InsightsCallContext,
  type InsightsPost,
  type InsightsReader,
  type InsightsResult,
  type PostReading,
} from '../insights.js';
import { PlatformError } from '../types.js';
import type { TikTokApi } from './api.js';

/** Video ids per video/query call (https://developers.tiktok.com/doc/tiktok-api-v2-video-query). */
export const VIDEO_QUERY_MAX_IDS = 20;
/** Videos per video/list page (https://developers.tiktok.com/doc/tiktok-api-v2-video-list/). */
const VIDEO_LIST_MAX_COUNT = 20;
/** Pages of video/list read at most while looking for one publish's video. */
const VIDEO_LIST_MAX_PAGES = 5;
/** How far a video's create_time may lie from Herald's publishing time and still be that post. */
const MATCH_WINDOW_S = 15 * 60;
/**
 * 600 requests per minute per endpoint (https://developers.tiktok.com/doc/tiktok-api-v2-rate-limit).
 * TikTok sends no usage headers, so usage is counted here.
 */
const ENDPOINT_LIMIT = 600;
const WINDOW_MS = 60_000;

const VIDEO_FIELDS = ['id', 'view_count', 'like_count', 'comment_count', 'share_count'] as const;
const USER_FIELDS = ['open_id', 'follower_count', 'following_count', 'likes_count', 'video_count'] as const;

/** Refusals that mean the account did not grant user.info.stats or video.list. */
const PERMISSION_CODES: ReadonlySet<string> = new Set(['scope_not_authorized', 'scope_permission_missed']);

type Counters = Record<string, unknown>;

function count(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // parseJsonExact keeps integers beyond 2^53 as strings.
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

function rawOf(source: Counters, names: readonly string[]): Record<string, number | null> {
  const raw: Record<string, number | null> = {};
  for (const name of names) if (name !== 'id' && name !== 'open_id') raw[name] = count(source[name]);
  return raw;
}

export class TikTokInsightsReader implements InsightsReader {
  readonly platform = 'tiktok';
  readonly batchSize = VIDEO_QUERY_MAX_IDS;
  /** publish_id → video id, once found: TikTok gives it once and never changes it. */
  private readonly videoIds = new Map<string, string>();
  /** Recent call times per account and endpoint, for `usage`. */
  private readonly calls = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly api: TikTokApi,
    private readonly clock: Clock,
  ) {}

  async postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    const byVideo = new Map<string, InsightsPost>();
    for (const post of await this.resolve(account, posts, context.signal)) byVideo.set(post.videoId, post.post);
    const readings: PostReading[] = [];
    const ids = [...byVideo.keys()];
    for (let i = 0; i < ids.length; i += VIDEO_QUERY_MAX_IDS) {
      const batch = ids.slice(i, i + VIDEO_QUERY_MAX_IDS);
      const reply = await this.call<{ videos?: Counters[] }>(account, 'video/query', context.signal, {
        method: 'POST',
        path: '/v2/video/query/',
        query: { fields: VIDEO_FIELDS.join(',') },
        json: { filters: { video_ids: batch } },
      });
      const found = new Map<string, Counters>();
      for (const video of reply.videos ?? []) if (typeof video.id === 'string') found.set(video.id, video);
      for (const id of batch) {
        const post = byVideo.get(id)!;
        const video = found.get(id);
        if (!video) {
          // video/query leaves out ids that are not (or no longer) the account's public videos.
          readings.push({
            postId: post.postId,
            values: {},
            raw: {},
            gone: 'TikTok no longer lists this video (deleted, or no longer public).',
          });
          continue;
        }
        readings.push({
          postId: post.postId,
          values: {
            views: count(video.view_count),
            likes: count(video.like_count),
            comments: count(video.comment_count),
            shares: count(video.share_count),
          },
          raw: rawOf(video, VIDEO_FIELDS),
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
    const day = dayForCurrentTotals(days, this.clock.now(), account.timezone);
    if (!day) return { readings: [], refused: [] };
    const reply = await this.call<{ user?: Counters }>(account, 'user/info', context.signal, {
      method: 'GET',
      path: '/v2/user/info/',
      query: { fields: USER_FIELDS.join(',') },
    });
    const user = reply.user ?? {};
    return {
      readings: [{ day, values: { followers: count(user.follower_count) }, raw: rawOf(user, USER_FIELDS) }],
      refused: [],
    };
  }

  usage(account: InsightsAccount): number | null {
    const now = this.clock.now();
    if ((this.blockedUntil.get(account.id) ?? 0) > now) return 1;
    let busiest = 0;
    for (const [key, times] of this.calls) {
      if (!key.startsWith(`${account.id}|`)) continue;
      busiest = Math.max(busiest, times.filter((t) => t > now - WINDOW_MS).length / ENDPOINT_LIMIT);
    }
    return busiest;
  }

  /**
   * Each post's video id. The publisher stores the public post id when TikTok gave it at once;
   * otherwise its publish_id, which status/fetch turns into the id once the post is public and
   * moderated (docs/platforms/tiktok.md#publish-status). TikTok often leaves that list empty even
   * for public posts, so the account's public videos are searched for one created at the time
   * Herald published. A private (SELF_ONLY) post has no public id and is not measured: no reading,
   * never zeros.
   */
  private async resolve(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    signal: AbortSignal,
  ): Promise<{ post: InsightsPost; videoId: string }[]> {
    const out: { post: InsightsPost; videoId: string }[] = [];
    const pending: InsightsPost[] = [];
    for (const post of posts) {
      const known = /^\d+$/.test(post.externalId) ? post.externalId : this.videoIds.get(post.externalId);
      if (known) out.push({ post, videoId: known });
      else pending.push(post);
    }
    const unlisted: InsightsPost[] = [];
    for (const post of pending) {
      const id = await this.publicId(account, post.externalId, signal);
      if (id) {
        this.videoIds.set(post.externalId, id);
        out.push({ post, videoId: id });
      } else unlisted.push(post);
    }
    if (unlisted.length) {
      const claimed = new Set(out.map((o) => o.videoId));
      for (const [post, id] of await this.matchInList(account, unlisted, claimed, signal)) {
        this.videoIds.set(post.externalId, id);
        out.push({ post, videoId: id });
      }
    }
    return out;
  }

  private async publicId(account: InsightsAccount, publishId: string, signal: AbortSignal): Promise<string | null> {
    try {
      const reply = await this.api.call<{ publicaly_available_post_id?: unknown[] }>(account.accessToken, {
        method: 'POST',
        path: '/v2/post/publish/status/fetch/',
        json: { publish_id: publishId },
        // Shares the publisher's status budget: it is the same endpoint.
        endpoint: 'status',
        signal,
      });
      const first = reply.data.publicaly_available_post_id?.[0];
      return first === undefined || first === null ? null : String(first);
    } catch (err) {
      // An unknown or foreign publish id: the video list may still hold it.
      if (err instanceof PlatformError && err.kind === 'permanent') return null;
      throw this.permission(err);
    }
  }

  /** Newest first, by create_time (seconds), within MATCH_WINDOW_S of each post's publishing time. */
  private async matchInList(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    claimed: Set<string>,
    signal: AbortSignal,
  ): Promise<Map<InsightsPost, string>> {
    const found = new Map<InsightsPost, string>();
    const oldest = Math.min(...posts.map((p) => p.publishedAt)) / 1000 - MATCH_WINDOW_S;
    let cursor: number | undefined;
    for (let page = 0; page < VIDEO_LIST_MAX_PAGES; page++) {
      const reply = await this.call<{ videos?: Counters[]; cursor?: unknown; has_more?: boolean }>(
        account,
        'video/list',
        signal,
        {
          method: 'POST',
          path: '/v2/video/list/',
          query: { fields: 'id,create_time' },
          json: { max_count: VIDEO_LIST_MAX_COUNT, ...(cursor !== undefined ? { cursor } : {}) },
        },
      );
      const videos = reply.videos ?? [];
      for (const post of posts) {
        if (found.has(post)) continue;
        const at = post.publishedAt / 1000;
        const near = videos.filter((v) => {
          const created = count(v.create_time);
          return (
            typeof v.id === 'string' &&
            !claimed.has(v.id) &&
            created !== null &&
            Math.abs(created - at) <= MATCH_WINDOW_S
          );
        });
        if (near.length === 0) continue;
        near.sort((a, b) => Math.abs(count(a.create_time)! - at) - Math.abs(count(b.create_time)! - at));
        const id = near[0]!.id as string;
        claimed.add(id);
        found.set(post, id);
      }
      const last = count(videos.at(-1)?.create_time);
      const next = count(reply.cursor);
      if (!reply.has_more || next === null || found.size === posts.length || (last !== null && last < oldest)) break;
      cursor = next;
    }
    return found;
  }

  private async call<T>(
    account: InsightsAccount,
    endpoint: string,
    signal: AbortSignal,
    call: { method: 'GET' | 'POST'; path: string; query: Record<string, string>; json?: unknown },
  ): Promise<T> {
    const key = `${account.id}|${endpoint}`;
    const now = this.clock.now();
    this.calls.set(key, [...(this.calls.get(key) ?? []).filter((t) => t > now - WINDOW_MS), now]);
    try {
      return (await this.api.call<T>(account.accessToken, { ...call, signal })).data;
    } catch (err) {
      if (err instanceof PlatformError && err.kind === 'rate_limited')
        this.blockedUntil.set(account.id, this.clock.now() + (err.retryAfterMs ?? WINDOW_MS));
      throw this.permission(err);
    }
  }

  private permission(err: unknown): unknown {
    if (err instanceof PlatformError && PERMISSION_CODES.has(err.code))
      return new InsightsPermissionError(
        'TikTok did not let Herald read results for this account (user.info.stats and video.list); ' +
          'reconnect it and allow reading profile stats and videos.',
      );
    return err;
  }
}
