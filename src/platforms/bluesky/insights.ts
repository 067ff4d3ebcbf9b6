// Results from Bluesky (docs/platforms/bluesky.md#results): the counters of up to 25 posts a call
// (app.bsky.feed.getPosts) and the profile's follower count (app.bsky.actor.getProfile), both
// through the account's PDS, which forwards them to the AppView. Bluesky has no views or reach.
import type {
  AccountDayReading,
  InsightsAccount,
  InsightsCallContext,
  InsightsPost,
  InsightsReader,
  InsightsResult,
  PostReading,
} from '../insights.js';
import { pdsOf } from './connector.js';
import { blueskyError } from './errors.js';
import type { BlueskySettings } from './settings.js';
import { xrpc } from './xrpc.js';

/** getPosts takes 1 to 25 URIs (https://docs.bsky.app/docs/api/app-bsky-feed-get-posts). */
const GET_POSTS_MAX = 25;

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

interface PostView {
  readonly uri?: string;
  readonly likeCount?: number;
  readonly repostCount?: number;
  readonly replyCount?: number;
  readonly quoteCount?: number;
}

export class BlueskyInsights implements InsightsReader {
  readonly platform = 'bluesky';
  readonly batchSize = GET_POSTS_MAX;

  constructor(
    private readonly settings: Pick<BlueskySettings, 'requestTimeoutMs'>,
    private readonly now: () => number,
  ) {}

  async postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    const readings: PostReading[] = [];
    for (let i = 0; i < posts.length; i += GET_POSTS_MAX) {
      const batch = posts.slice(i, i + GET_POSTS_MAX);
      // `uris` is repeated once per post; Herald's HTTP client sets single values, so the list is spelled out.
      const query = batch.map((p) => `uris=${encodeURIComponent(p.externalId)}`).join('&');
      const data = await this.get<{ posts?: PostView[] }>(account, `app.bsky.feed.getPosts?${query}`, {}, context);
      const byUri = new Map((data.posts ?? []).map((p) => [p.uri, p]));
      for (const post of batch) {
        const view = byUri.get(post.externalId);
        // A post not found is left out of the answer: deleted on Bluesky.
        if (!view) {
          readings.push({ postId: post.postId, values: {}, raw: {}, gone: 'The post is no longer on Bluesky.' });
          continue;
        }
        const raw = {
          likeCount: count(view.likeCount),
          repostCount: count(view.repostCount),
          replyCount: count(view.replyCount),
          quoteCount: count(view.quoteCount),
        };
        const shares =
          raw.repostCount === null && raw.quoteCount === null ? null : (raw.repostCount ?? 0) + (raw.quoteCount ?? 0);
        readings.push({
          postId: post.postId,
          values: { likes: raw.likeCount, comments: raw.replyCount, shares },
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
    const profile = await this.get<{ followersCount?: number }>(
      account,
      'app.bsky.actor.getProfile',
      { actor: account.externalId },
      context,
    );
    // The count now: only the last day asked can carry it.
    const followers = count(profile.followersCount);
    return { readings: [{ day, values: { followers }, raw: { followersCount: followers } }], refused: [] };
  }

  private async get<T>(
    account: InsightsAccount,
    nsid: string,
    query: Record<string, string>,
    context: InsightsCallContext,
  ): Promise<T> {
    try {
      const reply = await xrpc<T>(
        pdsOf(account.platformData),
        { method: 'GET', nsid, query, token: account.accessToken, signal: context.signal },
        this.settings.requestTimeoutMs,
      );
      return reply.data;
    } catch (err) {
      throw blueskyError(err, { sent: false, now: this.now() });
    }
  }
}
