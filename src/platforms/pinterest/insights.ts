// Results from Pinterest (docs/platforms/pinterest.md#results): each pin's analytics summed from
// its publishing day (GET /v5/pins/{id}/analytics), the account's daily analytics
// (GET /v5/user_account/analytics) and its follower count (GET /v5/user_account). Pinterest keeps
// analytics for the last 90 days only, and dates are UTC days.
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
import { record, type PinterestApi, type Query } from './api.js';

/** What results need, and what for (README, "Connecting Pinterest"); both are asked for at connect already. */
export const PINTEREST_INSIGHT_SCOPES = [
  { scope: 'pins:read', why: 'read the impressions, saves and clicks of the pins Herald published' },
  { scope: 'user_accounts:read', why: 'read the account’s daily impressions and engagements, and its followers' },
] as const;

/**
 * Pin metrics asked for (https://developers.pinterest.com/docs/api/v5/pins-analytics): impressions
 * are its views, saves its saves, closeup and outbound clicks its clicks.
 */
const PIN_METRICS = ['IMPRESSION', 'SAVE', 'PIN_CLICK', 'OUTBOUND_CLICK'] as const;
const ACCOUNT_METRICS = ['IMPRESSION', 'ENGAGEMENT'] as const;
/** start_date may be at most 90 days back (https://developers.pinterest.com/docs/api/v5/user_account-analytics). */
const WINDOW_DAYS = 90;
const DAY = 86_400_000;

function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The later / earlier of two `YYYY-MM-DD` days. */
const later = (a: string, b: string) => [a, b].sort()[1]!;
const earlier = (a: string, b: string) => [a, b].sort()[0]!;

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function sum(...values: (number | null)[]): number | null {
  return values.every((v) => v === null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0);
}

/** Daily numbers Pinterest has finished (or estimated); others are not stored as zeros. */
const SETTLED = new Set(['READY', 'ESTIMATE']);

export class PinterestInsights implements InsightsReader {
  readonly platform = 'pinterest';
  /** One pin per call. */
  readonly batchSize = 1;

  constructor(
    private readonly api: PinterestApi,
    private readonly now: () => number,
  ) {}

  async postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    const readings: PostReading[] = [];
    const refused: RefusedMetric[] = [];
    const today = utcDay(this.now());
    const earliest = utcDay(this.now() - (WINDOW_DAYS - 1) * DAY);
    for (const post of posts) {
      const published = utcDay(post.publishedAt);
      // A pin older than the window is summed over the window only (docs/platforms/pinterest.md#results).
      const start = earlier(later(published, earliest), today);
      const wanted = () =>
        PIN_METRICS.filter((m) => !context.refused.has(refusedKey('pin', m)) && !refused.some((r) => r.metric === m));
      let answer: { status: number; data: Record<string, unknown> } | null = null;
      for (let tries = 0; tries < PIN_METRICS.length && wanted().length; tries++) {
        const res = await this.get(
          account,
          `/pins/${encodeURIComponent(post.externalId)}/analytics`,
          {
            start_date: start,
            end_date: today,
            metric_types: wanted().join(','),
            app_types: 'ALL',
          },
          context,
        );
        const rejected = res.status === 400 ? this.rejectedMetric(res.data, wanted()) : null;
        if (!rejected) {
          answer = res;
          break;
        }
        refused.push({ metric: rejected, surface: 'pin', message: String(res.data.message ?? 'refused') });
      }
      if (!answer) {
        readings.push({ postId: post.postId, values: {}, raw: {} });
        continue;
      }
      if (answer.status === 404) {
        readings.push({ postId: post.postId, values: {}, raw: {}, gone: 'The pin is no longer on Pinterest.' });
        continue;
      }
      if (answer.status === 400)
        throw new PlatformError('permanent', `Pinterest refused: ${String(answer.data.message)}`);
      const summary = record(record(answer.data.all)?.summary_metrics) ?? {};
      const raw = Object.fromEntries(wanted().map((m) => [m, count(summary[m])]));
      readings.push({
        postId: post.postId,
        values: {
          views: raw.IMPRESSION ?? null,
          saves: raw.SAVE ?? null,
          clicks: sum(raw.PIN_CLICK ?? null, raw.OUTBOUND_CLICK ?? null),
        },
        raw,
      });
    }
    return { readings, refused };
  }

  async accountMetrics(
    account: InsightsAccount,
    days: readonly string[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<AccountDayReading>> {
    const last = days[days.length - 1];
    if (!last) return { readings: [], refused: [] };
    const today = utcDay(this.now());
    const earliest = utcDay(this.now() - (WINDOW_DAYS - 1) * DAY);
    const first = later(days[0]!, earliest);
    const end = earlier(last, today);
    const byDay = new Map<string, Record<string, number | null>>();
    if (first <= end) {
      const res = await this.get(
        account,
        '/user_account/analytics',
        {
          start_date: first,
          end_date: end,
          metric_types: ACCOUNT_METRICS.join(','),
        },
        context,
      );
      if (res.status >= 400) throw new PlatformError('permanent', `Pinterest refused: ${String(res.data.message)}`);
      const daily = record(res.data.all)?.daily_metrics;
      for (const d of Array.isArray(daily) ? daily : []) {
        const row = record(d);
        if (!row || typeof row.date !== 'string' || !SETTLED.has(String(row.data_status))) continue;
        const metrics = record(row.metrics) ?? {};
        byDay.set(row.date, Object.fromEntries(ACCOUNT_METRICS.map((m) => [m, count(metrics[m])])));
      }
    }
    const me = await this.get(account, '/user_account', {}, context);
    const followers = count(me.data.follower_count);
    const readings: AccountDayReading[] = [];
    for (const day of days) {
      const m = byDay.get(day);
      if (!m && day !== last) continue;
      readings.push({
        day,
        values: {
          views: m?.IMPRESSION ?? null,
          engagements: m?.ENGAGEMENT ?? null,
          ...(day === last ? { followers } : {}),
        },
        raw: { ...m, ...(day === last ? { follower_count: followers } : {}) },
      });
    }
    return { readings, refused: [] };
  }

  /** A 400 that names one of the metrics asked for: that metric is refused, the rest asked again. */
  private rejectedMetric(body: Record<string, unknown>, asked: readonly string[]): string | null {
    const message = String(body.message ?? '');
    return asked.find((m) => new RegExp(`\\b${m}\\b`).test(message)) ?? null;
  }

  private async get(
    account: InsightsAccount,
    path: string,
    query: Query,
    context: InsightsCallContext,
  ): Promise<{ status: number; data: Record<string, unknown> }> {
    try {
      const res = await this.api.call<Record<string, unknown>>({
        path,
        token: account.accessToken,
        query,
        userId: account.externalId,
        answer: [400, 404],
        signal: context.signal,
      });
      return { status: res.status, data: record(res.data) ?? {} };
    } catch (err) {
      // 403: the token lacks a scope (https://developers.pinterest.com/docs/getting-started/scopes/).
      if (err instanceof PlatformError && /permission denied/i.test(err.message))
        throw new InsightsPermissionError(`Pinterest refused to show this account’s numbers: ${err.message}`);
      throw err;
    }
  }
}
