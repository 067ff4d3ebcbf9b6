// Threads results through the Threads Insights API
// (https://developers.facebook.com/documentation/threads/insights, docs/platforms/threads.md#results):
// each post's lifetime counters from /{media-id}/insights, the profile's daily views and its
// follower count from /{user-id}/threads_insights. Needs threads_manage_insights.
import type { Clock } from '../../lib/clock.js';
import { dayForCurrentTotals } from '../current-day.js';
import {
  InsightsPermissionError,
  refusedKey,
  type AccountDayReading,
  type InsightsAccount,
  type InsightsCallContext,
  type InsightsPost,
  type InsightsReader,
  type InsightsResult,
  type PostReading,
  type RefusedMetric,
} from '../insights.js';
import type { PostMetric } from '../../domain/metrics.js';
import { PlatformError } from '../types.js';
import { record, type ThreadsApi } from './api.js';

/** The documented media metrics and what Herald calls each. */
const MEDIA_METRICS: ReadonlyArray<readonly [string, PostMetric]> = [
  ['views', 'views'],
  ['likes', 'likes'],
  ['replies', 'comments'],
  ['reposts', 'shares'],
  ['quotes', 'shares'],
  ['shares', 'shares'],
];
/** `since`/`until` before this do not work (April 13, 2024). */
const EARLIEST_SINCE_S = 1_712_991_600;
const DAY_MS = 24 * 3600_000;
/** What refused metrics are recorded under. */
const MEDIA_SURFACE = 'post';
const USER_SURFACE = 'account';

/** One `data[]` entry: `values[0].value` (lifetime, daily series) or `total_value.value`. */
interface InsightEntry {
  readonly name?: string;
  readonly values?: ReadonlyArray<{ readonly value?: unknown; readonly end_time?: string }>;
  readonly total_value?: { readonly value?: unknown };
}

function numberOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function entryValue(entry: InsightEntry): number | null {
  return numberOf(entry.total_value?.value) ?? numberOf(entry.values?.[0]?.value);
}

/** `threads:<code>` or `threads:<code>/<subcode>`, as mapThreadsError tags it. */
function codesOf(err: PlatformError): { code: number | null; subcode: number | null } {
  const m = /^threads:(\d+)(?:\/(\d+))?$/.exec(err.code);
  return { code: m ? Number(m[1]) : null, subcode: m?.[2] ? Number(m[2]) : null };
}

function isPermission(err: unknown): boolean {
  if (!(err instanceof PlatformError)) return false;
  const { code } = codesOf(err);
  return code === 10 || (code !== null && code >= 200 && code <= 299);
}

/** Graph's `(#100)` for a metric name it does not know (any more). */
function isInvalidMetric(err: unknown): boolean {
  return err instanceof PlatformError && codesOf(err).code === 100 && /metric/i.test(err.message);
}

/** `(#100)` with subcode 33: the object does not exist (deleted on Threads). */
function isGone(err: unknown): boolean {
  return err instanceof PlatformError && codesOf(err).code === 100 && codesOf(err).subcode === 33;
}

function permissionError(): InsightsPermissionError {
  return new InsightsPermissionError(
    'Threads did not let Herald read insights for this profile (threads_manage_insights); ' +
      'reconnect it and allow reading insights.',
  );
}

export class ThreadsInsightsReader implements InsightsReader {
  readonly platform = 'threads';
  /** The media insights endpoint reads one post per call. */
  readonly batchSize = 1;

  constructor(
    private readonly api: ThreadsApi,
    private readonly clock: Clock,
  ) {}

  async postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    const readings: PostReading[] = [];
    const refused: RefusedMetric[] = [];
    const skip = new Set(context.refused);
    for (const post of posts) {
      const names = MEDIA_METRICS.map(([n]) => n).filter((n) => !skip.has(refusedKey(MEDIA_SURFACE, n)));
      let entries: InsightEntry[];
      try {
        entries = await this.insights(account, `/${post.externalId}/insights`, names, {}, context, refused, skip);
      } catch (err) {
        if (isGone(err)) {
          readings.push({ postId: post.postId, values: {}, raw: {}, gone: 'The post no longer exists on Threads.' });
          continue;
        }
        throw err;
      }
      const raw: Record<string, number | null> = {};
      for (const entry of entries) if (entry.name) raw[entry.name] = entryValue(entry);
      const values: Partial<Record<PostMetric, number | null>> = {};
      // An empty answer (a repost of someone else's post) reports nothing: no zeros.
      for (const [name, metric] of MEDIA_METRICS) {
        const v = raw[name];
        if (v === undefined || v === null) continue;
        values[metric] = (values[metric] ?? 0) + v;
      }
      readings.push({ postId: post.postId, values, raw });
    }
    return { readings, refused };
  }

  /**
   * Profile views per day (a daily series) and the follower count as it stands now, stamped on
   * today: Threads keeps no follower history.
   */
  async accountMetrics(
    account: InsightsAccount,
    days: readonly string[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<AccountDayReading>> {
    if (days.length === 0) return { readings: [], refused: [] };
    const refused: RefusedMetric[] = [];
    const skip = new Set(context.refused);
    const names = ['views', 'followers_count'].filter((n) => !skip.has(refusedKey(USER_SURFACE, n)));
    const since = Math.max(EARLIEST_SINCE_S, Date.parse(`${days[0]}T00:00:00Z`) / 1000);
    const until = Date.parse(`${days.at(-1)}T00:00:00Z`) / 1000 + DAY_MS / 1000;
    const entries = await this.insights(
      account,
      `/${account.externalId}/threads_insights`,
      names,
      { since, until },
      context,
      refused,
      skip,
    );
    const byDay = new Map<string, { views: number | null; raw: Record<string, number | null> }>();
    for (const entry of entries) {
      if (entry.name !== 'views') continue;
      for (const point of entry.values ?? []) {
        // A daily value's end_time is the (Pacific) midnight that closes the day it counts, so the
        // day is the one before its date (Meta's convention for daily insights values).
        const end = point.end_time ? Date.parse(`${point.end_time.slice(0, 10)}T00:00:00Z`) : Number.NaN;
        if (Number.isNaN(end)) continue;
        const day = new Date(end - DAY_MS).toISOString().slice(0, 10);
        if (!days.includes(day)) continue;
        byDay.set(day, { views: numberOf(point.value), raw: { views: numberOf(point.value) } });
      }
    }
    const followersEntry = entries.find((e) => e.name === 'followers_count');
    const followersDay = followersEntry ? dayForCurrentTotals(days, this.clock.now(), account.timezone) : null;
    const readings: AccountDayReading[] = [];
    for (const day of days) {
      const views = byDay.get(day);
      const followers = day === followersDay ? entryValue(followersEntry!) : undefined;
      if (!views && followers === undefined) continue;
      readings.push({
        day,
        values: { ...(views ? { views: views.views } : {}), ...(followers !== undefined ? { followers } : {}) },
        raw: { ...views?.raw, ...(followers !== undefined ? { followers_count: followers } : {}) },
      });
    }
    return { readings, refused };
  }

  /**
   * One insights call. Graph refuses the whole list for one name it does not know, so on that
   * refusal each name is tried alone once: the ones refused are reported and left out from then on.
   */
  private async insights(
    account: InsightsAccount,
    path: string,
    names: readonly string[],
    params: Record<string, number>,
    context: InsightsCallContext,
    refused: RefusedMetric[],
    skip: Set<string>,
  ): Promise<InsightEntry[]> {
    if (names.length === 0) return [];
    const surface = path.endsWith('/threads_insights') ? USER_SURFACE : MEDIA_SURFACE;
    try {
      return await this.read(account, path, names, params, context.signal);
    } catch (err) {
      if (!isInvalidMetric(err) || names.length === 1) {
        if (isInvalidMetric(err)) {
          refused.push({ metric: names[0]!, surface, message: (err as Error).message });
          skip.add(refusedKey(surface, names[0]!));
          return [];
        }
        throw err;
      }
    }
    const entries: InsightEntry[] = [];
    for (const name of names) {
      try {
        entries.push(...(await this.read(account, path, [name], params, context.signal)));
      } catch (err) {
        if (!isInvalidMetric(err)) throw err;
        refused.push({ metric: name, surface, message: (err as Error).message });
        skip.add(refusedKey(surface, name));
      }
    }
    return entries;
  }

  private async read(
    account: InsightsAccount,
    path: string,
    names: readonly string[],
    params: Record<string, number>,
    signal: AbortSignal,
  ): Promise<InsightEntry[]> {
    try {
      const reply = await this.api.call<{ data?: unknown }>({
        path,
        token: account.accessToken,
        params: { metric: names.join(','), ...params },
        userId: account.externalId,
        signal,
      });
      const data = reply.data.data;
      return Array.isArray(data) ? data.map((d) => (record(d) ?? {}) as InsightEntry) : [];
    } catch (err) {
      if (isPermission(err)) throw permissionError();
      throw err;
    }
  }
}
