// Results from a Mastodon instance (docs/platforms/mastodon.md#results): a status's counters and the
// account's followers. Mastodon counts no views or reach, so those stay unknown (null), never 0.
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
import { mastodonCall, mastodonError, MastodonFailure } from './api.js';
import { instanceOf } from './connector.js';
import type { MastodonSettings } from './settings.js';

/** What results need, and what for (README, "Connecting Mastodon"). */
export const MASTODON_INSIGHT_SCOPES = [
  { scope: 'read:statuses', why: 'read the favourites, boosts and replies of the posts Herald published' },
  { scope: 'read:accounts', why: 'read the account’s follower count once a day' },
] as const;

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export class MastodonInsights implements InsightsReader {
  readonly platform = 'mastodon';
  /** One status per call: GET /api/v1/statuses/:id (https://docs.joinmastodon.org/methods/statuses/#get). */
  readonly batchSize = 1;

  constructor(
    private readonly settings: MastodonSettings,
    private readonly now: () => number,
  ) {}

  async postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    const origin = instanceOf(account);
    const readings: PostReading[] = [];
    for (const post of posts) {
      const body = await this.get(origin, `/api/v1/statuses/${encodeURIComponent(post.externalId)}`, account, context);
      if (body === null) {
        readings.push({ postId: post.postId, values: {}, raw: {}, gone: 'The status is no longer on the instance.' });
        continue;
      }
      const raw = {
        favourites_count: count(body.favourites_count),
        reblogs_count: count(body.reblogs_count),
        replies_count: count(body.replies_count),
      };
      readings.push({
        postId: post.postId,
        values: { likes: raw.favourites_count, shares: raw.reblogs_count, comments: raw.replies_count },
        raw,
      });
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
    const me = await this.get(instanceOf(account), '/api/v1/accounts/verify_credentials', account, context);
    // Only today's count can be read: earlier days are not asked for again.
    const followers = count(me?.followers_count);
    return {
      readings: [{ day, values: { followers }, raw: { followers_count: followers } }],
      refused: [],
    };
  }

  /** The JSON of a 2xx answer; null for a 404 (the status was deleted or is no longer visible). */
  private async get(
    origin: string,
    path: string,
    account: InsightsAccount,
    context: InsightsCallContext,
  ): Promise<Record<string, unknown> | null> {
    try {
      const res = await mastodonCall(origin, path, {
        method: 'GET',
        token: account.accessToken,
        signal: context.signal,
        timeoutMs: this.settings.requestTimeoutMs,
      });
      return (res.json ?? {}) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof MastodonFailure && err.status === 404) return null;
      // A token without the read scopes: "This action is outside the authorized scopes"
      // (https://docs.joinmastodon.org/api/oauth-scopes/).
      if (err instanceof MastodonFailure && err.status === 403)
        throw new InsightsPermissionError(
          `The instance refused to show this account’s numbers${err.vendorMessage ? ` (${err.vendorMessage})` : ''}; ` +
            'reconnect it to allow reading.',
        );
      throw mastodonError(err, { sent: false, now: this.now() });
    }
  }
}
