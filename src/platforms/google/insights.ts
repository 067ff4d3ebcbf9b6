// Results from Google Business Profile (docs/platforms/google-business.md#results). Google ended
// per-post insights (localPosts.reportInsights) in 2023, so a post has no numbers of its own: its
// reading stays unknown, never zero. The location's days come from the Business Profile
// Performance API (locations.fetchMultiDailyMetricsTimeSeries).
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
import { InsightsPermissionError, refusedKey } from '../insights.js';
import { PlatformError } from '../types.js';
import type { GoogleApi } from './api.js';
import { GOOGLE_BUSINESS } from './connector.js';
import { BUSINESS_MANAGE } from './settings.js';

/** What results need, and what for (README, "Connecting Google Business Profile"). */
export const GOOGLE_BUSINESS_INSIGHT_SCOPES = [
  {
    scope: BUSINESS_MANAGE,
    why: 'read each location’s daily views on Search and Maps, calls, website and route clicks',
  },
] as const;

/**
 * Daily metrics read (https://developers.google.com/my-business/reference/performance/rest/v1/DailyMetric):
 * the four impression counts make the day's views; the actions people took its engagements.
 */
const IMPRESSIONS = [
  'BUSINESS_IMPRESSIONS_DESKTOP_MAPS',
  'BUSINESS_IMPRESSIONS_DESKTOP_SEARCH',
  'BUSINESS_IMPRESSIONS_MOBILE_MAPS',
  'BUSINESS_IMPRESSIONS_MOBILE_SEARCH',
] as const;
const ACTIONS = [
  'CALL_CLICKS',
  'WEBSITE_CLICKS',
  'BUSINESS_DIRECTION_REQUESTS',
  'BUSINESS_CONVERSATIONS',
  'BUSINESS_BOOKINGS',
] as const;
const DAILY_METRICS: readonly string[] = [...IMPRESSIONS, ...ACTIONS];
const SURFACE = 'location';

interface GoogleDate {
  readonly year?: number;
  readonly month?: number;
  readonly day?: number;
}

interface SeriesAnswer {
  readonly multiDailyMetricTimeSeries?: {
    readonly dailyMetricTimeSeries?: {
      readonly dailyMetric?: string;
      readonly timeSeries?: { readonly datedValues?: { readonly date?: GoogleDate; readonly value?: string }[] };
    }[];
  }[];
}

function dayOf(d: GoogleDate | undefined): string | null {
  if (!d?.year || !d.month || !d.day) return null;
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

function sum(values: readonly (number | null | undefined)[]): number | null {
  const known = values.filter((v): v is number => typeof v === 'number');
  return known.length ? known.reduce((a, v) => a + v, 0) : null;
}

export class GoogleBusinessInsights implements InsightsReader {
  readonly platform = GOOGLE_BUSINESS;
  /** No call is made per post. */
  readonly batchSize = 100;

  constructor(private readonly api: GoogleApi) {}

  /** Per-post numbers were discontinued: each post is stored as read with nothing known. */
  async postMetrics(
    _account: InsightsAccount,
    posts: readonly InsightsPost[],
    _context: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    return { readings: posts.map((p) => ({ postId: p.postId, values: {}, raw: {} })), refused: [] };
  }

  async accountMetrics(
    account: InsightsAccount,
    days: readonly string[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<AccountDayReading>> {
    if (days.length === 0) return { readings: [], refused: [] };
    const refused: RefusedMetric[] = [];
    const wanted = () =>
      DAILY_METRICS.filter((m) => !context.refused.has(refusedKey(SURFACE, m)) && !refused.some((r) => r.metric === m));
    let answer: SeriesAnswer | null = null;
    while (!answer && wanted().length) {
      try {
        answer = await this.fetch(account, wanted(), days[0]!, days[days.length - 1]!, context);
      } catch (err) {
        const metric = err instanceof PlatformError ? wanted().find((m) => err.message.includes(`"${m}"`)) : undefined;
        if (!metric) throw this.permission(err);
        refused.push({ metric, surface: SURFACE, message: (err as Error).message });
      }
    }
    // value is left out of a datedValue when it is 0; a day missing from the series is unknown.
    const byDay = new Map<string, Record<string, number>>();
    for (const group of answer?.multiDailyMetricTimeSeries ?? [])
      for (const series of group.dailyMetricTimeSeries ?? []) {
        if (!series.dailyMetric) continue;
        for (const dv of series.timeSeries?.datedValues ?? []) {
          const day = dayOf(dv.date);
          if (!day) continue;
          const row = byDay.get(day) ?? {};
          row[series.dailyMetric] = Number(dv.value ?? 0);
          byDay.set(day, row);
        }
      }
    const readings: AccountDayReading[] = [];
    for (const day of days) {
      const row = byDay.get(day);
      if (!row) continue;
      readings.push({
        day,
        values: {
          views: sum(IMPRESSIONS.map((m) => row[m])),
          engagements: sum(ACTIONS.map((m) => row[m])),
        },
        raw: row,
      });
    }
    return { readings, refused };
  }

  private async fetch(
    account: InsightsAccount,
    metrics: readonly string[],
    first: string,
    last: string,
    context: InsightsCallContext,
  ): Promise<SeriesAnswer> {
    const [sy, sm, sd] = first.split('-').map(Number);
    const [ey, em, ed] = last.split('-').map(Number);
    // dailyMetrics repeats once per metric; Herald's HTTP client sets single values, so the query is spelled out.
    const query = new URLSearchParams([
      ...metrics.map((m) => ['dailyMetrics', m]),
      ['dailyRange.start_date.year', String(sy)],
      ['dailyRange.start_date.month', String(sm)],
      ['dailyRange.start_date.day', String(sd)],
      ['dailyRange.end_date.year', String(ey)],
      ['dailyRange.end_date.month', String(em)],
      ['dailyRange.end_date.day', String(ed)],
    ]);
    // The account id is not part of a Performance API name: `locations/{id}`.
    const location = account.externalId.replace(/^accounts\/[^/]+\//, '');
    const reply = await this.api.call<SeriesAnswer>(account.accessToken, {
      api: 'performance',
      method: 'GET',
      path: `/v1/${location}:fetchMultiDailyMetricsTimeSeries?${query.toString()}`,
      signal: context.signal,
    });
    return reply.data;
  }

  private permission(err: unknown): unknown {
    if (err instanceof PlatformError && ['PERMISSION_DENIED', 'ACCESS_TOKEN_SCOPE_INSUFFICIENT'].includes(err.code))
      return new InsightsPermissionError(`Google refused to show this location’s numbers: ${err.message}`);
    return err;
  }
}
