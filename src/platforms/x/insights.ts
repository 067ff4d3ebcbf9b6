// Results from X (docs/platforms/x.md#results): the public metrics of up to 100 posts a call
// (GET /2/tweets?ids=…&tweet.fields=public_metrics) and the account's follower count
// (GET /2/users/me?user.fields=public_metrics). Reads are billed per resource returned, so results
// are off unless the administrator sets a monthly read budget (X_RESULTS_MONTHLY_READS), and Herald
// counts every post read against it.
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
import type { NetworkStore, UsageLine } from '../network.js';
import { PlatformError } from '../types.js';
import { record, type XApi } from './api.js';
import { nextMonth } from './post-cap.js';

/** Post lookup takes 1 to 100 ids (https://docs.x.com/x-api/posts/lookup/introduction). */
const LOOKUP_MAX = 100;

/** What results need, and what for (README, "Connecting X"); both are asked for at connect already. */
export const X_INSIGHT_SCOPES = [
  { scope: 'tweet.read', why: 'read the likes, reposts, replies, quotes, bookmarks and views of published posts' },
  { scope: 'users.read', why: 'read the account’s follower count once a day' },
] as const;

const PUBLIC_METRICS = [
  'retweet_count',
  'reply_count',
  'like_count',
  'quote_count',
  'bookmark_count',
  'impression_count',
] as const;

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The month's reads in the network's store, so a restart does not forget what was spent. */
class ReadBudget {
  private readonly memory = new Map<string, string>();
  constructor(
    readonly cap: number,
    private readonly store: NetworkStore | undefined,
    private readonly now: () => number,
  ) {}
  private key(): string {
    return `reads:${new Date(this.now()).toISOString().slice(0, 7)}`;
  }
  used(): number {
    return Number(this.store ? this.store.get(this.key()) : this.memory.get(this.key())) || 0;
  }
  /** Before a call that may return `n` resources. */
  ensureRoom(n: number): void {
    if (this.used() + n <= this.cap) return;
    const resumes = nextMonth(this.now());
    throw new PlatformError(
      'rate_limited',
      `The month’s budget of ${this.cap} X reads for results is used up; reading resumes on ` +
        `${new Date(resumes).toISOString().slice(0, 10)}.`,
      'x:results_reads',
      { retryAfterMs: resumes - this.now(), scope: 'platform' },
    );
  }
  count(n: number): void {
    const value = String(this.used() + n);
    if (this.store) this.store.put(this.key(), value);
    else this.memory.set(this.key(), value);
  }
}

export class XInsights implements InsightsReader {
  readonly platform = 'x';
  readonly batchSize = LOOKUP_MAX;
  private readonly budget: ReadBudget;

  constructor(
    private readonly api: XApi,
    monthlyReads: number,
    store: NetworkStore | undefined,
    private readonly now: () => number,
  ) {
    this.budget = new ReadBudget(monthlyReads, store, now);
  }

  /** The System page's line: reads spent on results this month. */
  usageLine(): UsageLine {
    return {
      label: 'post reads for results this month',
      used: this.budget.used(),
      limit: this.budget.cap,
      resetsAt: nextMonth(this.now()),
    };
  }

  async postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    const readings: PostReading[] = [];
    for (let i = 0; i < posts.length; i += LOOKUP_MAX) {
      const batch = posts.slice(i, i + LOOKUP_MAX);
      this.budget.ensureRoom(batch.length);
      const data = await this.get(
        account,
        '/2/tweets',
        {
          ids: batch.map((p) => p.externalId).join(','),
          'tweet.fields': 'public_metrics',
        },
        context,
      );
      const found = new Map<string, Record<string, unknown>>();
      for (const item of Array.isArray(data.data) ? data.data : []) {
        const t = record(item);
        if (t && typeof t.id === 'string') found.set(t.id, record(t.public_metrics) ?? {});
      }
      this.budget.count(found.size);
      for (const post of batch) {
        const m = found.get(post.externalId);
        // A deleted (or now protected) post comes back under `errors` as resource-not-found.
        if (!m) {
          readings.push({ postId: post.postId, values: {}, raw: {}, gone: 'The post is no longer on X.' });
          continue;
        }
        const raw = Object.fromEntries(PUBLIC_METRICS.map((name) => [name, count(m[name])]));
        const shares =
          raw.retweet_count === null && raw.quote_count === null
            ? null
            : (raw.retweet_count ?? 0) + (raw.quote_count ?? 0);
        readings.push({
          postId: post.postId,
          values: {
            views: raw.impression_count ?? null,
            likes: raw.like_count ?? null,
            comments: raw.reply_count ?? null,
            shares,
            saves: raw.bookmark_count ?? null,
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
    this.budget.ensureRoom(1);
    const data = await this.get(account, '/2/users/me', { 'user.fields': 'public_metrics' }, context);
    this.budget.count(1);
    const followers = count(record(record(data.data)?.public_metrics)?.followers_count);
    return { readings: [{ day, values: { followers }, raw: { followers_count: followers } }], refused: [] };
  }

  private async get(
    account: InsightsAccount,
    path: string,
    query: Record<string, string>,
    context: InsightsCallContext,
  ): Promise<Record<string, unknown>> {
    try {
      const res = await this.api.call({
        path,
        token: account.accessToken,
        query,
        userId: account.externalId,
        signal: context.signal,
      });
      return res.data;
    } catch (err) {
      // A token without tweet.read or users.read is refused as forbidden
      // (https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code).
      if (err instanceof PlatformError && err.kind === 'permanent' && /403|forbidden|not-authorized/i.test(err.code))
        throw new InsightsPermissionError(`X refused to show this account’s numbers (${err.message})`);
      throw err;
    }
  }
}
