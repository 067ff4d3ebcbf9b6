// LinkedIn results for organization Pages (docs/platforms/linkedin.md#results): each post's
// lifetime share statistics, the Page's daily impressions and engagement, and its follower count
// (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics,
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-lookup-api).
// A member's personal profile has no statistics API open to most apps: its posts get no reading
// at all (never zeros).
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
import { encodeUrn, type LinkedInApi } from './api.js';

/**
 * Post URNs per statistics call. LinkedIn documents no cap, but a query string over 4 KB is
 * refused (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/query-tunneling):
 * 20 encoded URNs stay far below it.
 */
export const SHARE_STATISTICS_BATCH = 20;
const DAY_MS = 24 * 3600_000;

/** `totalShareStatistics` as LinkedIn names it. */
interface ShareStatistics {
  readonly impressionCount?: number;
  readonly uniqueImpressionsCount?: number;
  readonly clickCount?: number;
  readonly likeCount?: number;
  readonly commentCount?: number;
  readonly shareCount?: number;
  readonly engagement?: number;
}

interface StatisticsElement {
  readonly share?: string;
  readonly ugcPost?: string;
  readonly timeRange?: { readonly start?: number; readonly end?: number };
  readonly totalShareStatistics?: ShareStatistics;
}

const RAW_NAMES = [
  'impressionCount',
  'uniqueImpressionsCount',
  'clickCount',
  'likeCount',
  'commentCount',
  'shareCount',
  'engagement',
] as const;

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function rawOf(stats: ShareStatistics): Record<string, number | null> {
  const raw: Record<string, number | null> = {};
  for (const name of RAW_NAMES) raw[name] = num(stats[name]);
  return raw;
}

function isOrganization(account: InsightsAccount): boolean {
  return account.platformData.kind === 'organization' || account.externalId.startsWith('urn:li:organization:');
}

/**
 * A Rest.li 2.0 query string built by hand: URNs encoded, the `List(...)` and `(...)` syntax not
 * (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/protocol-version). Handing
 * these to URLSearchParams would encode the parentheses and LinkedIn would refuse them.
 */
function restliQuery(params: ReadonlyArray<readonly [string, string]>): string {
  return params.map(([k, v]) => `${k}=${v}`).join('&');
}

export class LinkedInInsightsReader implements InsightsReader {
  readonly platform = 'linkedin';
  readonly batchSize = SHARE_STATISTICS_BATCH;

  constructor(
    private readonly api: LinkedInApi,
    private readonly now: () => number,
  ) {}

  async postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    if (!isOrganization(account)) return { readings: [], refused: [] };
    const readings: PostReading[] = [];
    // Posts API URNs are shares or ugcPosts; each kind has its own parameter, and one call takes one kind.
    const kinds: Array<['shares' | 'ugcPosts', InsightsPost[]]> = [
      ['shares', posts.filter((p) => p.externalId.startsWith('urn:li:share:'))],
      ['ugcPosts', posts.filter((p) => p.externalId.startsWith('urn:li:ugcPost:'))],
    ];
    for (const [param, group] of kinds) {
      for (let i = 0; i < group.length; i += SHARE_STATISTICS_BATCH) {
        const batch = group.slice(i, i + SHARE_STATISTICS_BATCH);
        const elements = await this.statistics(account, context.signal, [
          [param, `List(${batch.map((p) => encodeUrn(p.externalId)).join(',')})`],
        ]);
        const byUrn = new Map<string, ShareStatistics>();
        for (const e of elements) {
          const urn = e.share ?? e.ugcPost;
          if (urn && e.totalShareStatistics) byUrn.set(urn, e.totalShareStatistics);
        }
        // A post LinkedIn leaves out (older than its 12 months of statistics) gets no reading.
        for (const post of batch) {
          const stats = byUrn.get(post.externalId);
          if (!stats) continue;
          readings.push({
            postId: post.postId,
            values: {
              views: num(stats.impressionCount),
              reach: num(stats.uniqueImpressionsCount),
              clicks: num(stats.clickCount),
              likes: num(stats.likeCount),
              comments: num(stats.commentCount),
              shares: num(stats.shareCount),
            },
            raw: rawOf(stats),
          });
        }
      }
    }
    return { readings, refused: [] };
  }

  /**
   * The Page's impressions and engagement per day (days as LinkedIn counts them, in UTC) and its
   * follower count as it stands now, stamped on today.
   */
  async accountMetrics(
    account: InsightsAccount,
    days: readonly string[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<AccountDayReading>> {
    if (!isOrganization(account) || days.length === 0) return { readings: [], refused: [] };
    const start = Date.parse(`${days[0]}T00:00:00Z`);
    const end = Date.parse(`${days.at(-1)}T00:00:00Z`) + DAY_MS;
    const elements = await this.statistics(account, context.signal, [
      ['timeIntervals', `(timeRange:(start:${start},end:${end}),timeGranularityType:DAY)`],
    ]);
    const byDay = new Map<string, AccountDayReading>();
    for (const e of elements) {
      const at = num(e.timeRange?.start);
      const stats = e.totalShareStatistics;
      if (at === null || !stats) continue;
      // The documented edge (inclusive or not) changed between versions: the middle of the range is safe.
      const day = new Date(at + DAY_MS / 2).toISOString().slice(0, 10);
      if (!days.includes(day)) continue;
      const engagements =
        (num(stats.likeCount) ?? 0) +
        (num(stats.commentCount) ?? 0) +
        (num(stats.shareCount) ?? 0) +
        (num(stats.clickCount) ?? 0);
      byDay.set(day, {
        day,
        values: { views: num(stats.impressionCount), reach: num(stats.uniqueImpressionsCount), engagements },
        raw: rawOf(stats),
      });
    }
    const followersDay = dayForCurrentTotals(days, this.now(), account.timezone);
    if (followersDay) {
      const followers = await this.followers(account, context.signal);
      const known = byDay.get(followersDay);
      byDay.set(followersDay, {
        day: followersDay,
        values: { ...known?.values, followers },
        raw: { ...known?.raw, firstDegreeSize: followers },
      });
    }
    return { readings: days.flatMap((d) => byDay.get(d) ?? []), refused: [] };
  }

  /** LinkedIn sends no usage headers; its daily quotas are only shown in the developer portal. */
  usage(): number | null {
    return null;
  }

  private async statistics(
    account: InsightsAccount,
    signal: AbortSignal,
    extra: ReadonlyArray<readonly [string, string]>,
  ): Promise<StatisticsElement[]> {
    const query = restliQuery([
      ['q', 'organizationalEntity'],
      ['organizationalEntity', encodeUrn(account.externalId)],
      ...extra,
    ]);
    const reply = await this.guard(() =>
      this.api.rest<{ elements?: StatisticsElement[] }>(account.accessToken, {
        method: 'GET',
        path: `/rest/organizationalEntityShareStatistics?${query}`,
        signal,
      }),
    );
    return reply.data?.elements ?? [];
  }

  /** The Page's follower count (Organization Lookup API, "networkSizes"). */
  private async followers(account: InsightsAccount, signal: AbortSignal): Promise<number | null> {
    const reply = await this.guard(() =>
      this.api.rest<{ firstDegreeSize?: number }>(account.accessToken, {
        method: 'GET',
        path: `/rest/networkSizes/${encodeUrn(account.externalId)}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`,
        signal,
      }),
    );
    return num(reply.data?.firstDegreeSize);
  }

  /**
   * A 403 is a missing permission or Page role (rw_organization_admin, ADMINISTRATOR), except the
   * Rest.li syntax refusal that LinkedIn also answers with 403 ("Unpermitted fields present in
   * PARAMETER"), which reconnecting cannot fix.
   */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof PlatformError && err.code === 'ACCESS_DENIED' && !/Unpermitted fields/i.test(err.message))
        throw new InsightsPermissionError(
          'LinkedIn did not let Herald read statistics for this Page: the connected person must be an ' +
            'administrator of the Page and have granted rw_organization_admin; reconnect LinkedIn.',
        );
      throw err;
    }
  }
}
