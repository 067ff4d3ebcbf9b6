// The contract between results collection (src/jobs/collect-metrics.ts) and each network's
// insights reader: how a platform's numbers are read, under Herald's normalised names
// (src/domain/metrics.ts). Only src/platforms/<network>/ knows metric names, URLs and error codes
// (docs/results.md).
import type { AccountMetricValues, PostMetricValues } from '../domain/metrics.js';

/** The account whose results are read, with a usable token. */
export interface InsightsAccount {
  readonly id: string;
  readonly platform: string;
  readonly externalId: string;
  readonly name: string;
  readonly accessToken: string;
  readonly platformData: Readonly<Record<string, unknown>>;
  /** What the account granted (space- or comma-separated, as its connector stored it). */
  readonly scopes: string;
  /** The client's time zone: account days are counted in it where the network lets us choose. */
  readonly timezone: string;
}

/** A published post to measure. */
export interface InsightsPost {
  readonly postId: string;
  /** The network's id of the post, as the publisher stored it. */
  readonly externalId: string;
  readonly permalink: string | null;
  readonly publishedAt: number;
  /** What was published, when the network measures kinds differently (feed, reel, story, video…). */
  readonly surface: string;
  /** The post's media kinds, first to last. */
  readonly media: readonly ('image' | 'video')[];
}

/** One post's numbers: cumulative totals now. */
export interface PostReading {
  readonly postId: string;
  readonly values: PostMetricValues;
  /** The network's own names and values, kept as read. */
  readonly raw: Readonly<Record<string, number | null>>;
  /** The network no longer has the post (deleted on the network): stored once, never asked again. */
  readonly gone?: string;
}

/** One account day's numbers. */
export interface AccountDayReading {
  /** `YYYY-MM-DD`: the day the numbers are about (not the day they were stamped). */
  readonly day: string;
  readonly values: AccountMetricValues;
  readonly raw: Readonly<Record<string, number | null>>;
}

/** A metric the network refused by name: recorded once and not asked for again (docs/results.md#refused-metrics). */
export interface RefusedMetric {
  readonly metric: string;
  readonly surface: string;
  readonly message: string;
}

/**
 * What a reader answers: its readings, and any metric the network refused on the way (the reader
 * carries on without it: one retired name must not cost the rest).
 */
export interface InsightsResult<T> {
  readonly readings: readonly T[];
  readonly refused: readonly RefusedMetric[];
}

/**
 * The account lacks a permission results need (connected before it was asked for, or refused):
 * collection stops for the account and its pages say "reconnect to see results".
 */
export class InsightsPermissionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InsightsPermissionError';
  }
}

/** What the collection hands a reader with each call. */
export interface InsightsCallContext {
  readonly signal: AbortSignal;
  /** Metrics refused earlier on this platform, by surface: never ask for them again. */
  readonly refused: ReadonlySet<string>;
}

/** How results are read from one platform (one per platform a network publishes to). */
export interface InsightsReader {
  /** The platform id (accounts.platform). */
  readonly platform: string;
  /** The most posts one `postMetrics` call should be given (the API's batch size; 1 when each is its own call). */
  readonly batchSize: number;
  postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>>;
  /** The account's days in `days` (`YYYY-MM-DD`, oldest first; the last few again, as networks lag). */
  accountMetrics(
    account: InsightsAccount,
    days: readonly string[],
    context: InsightsCallContext,
  ): Promise<InsightsResult<AccountDayReading>>;
  /**
   * How much of the busiest rate budget this account's app (or Page) has used, 0–1, from the
   * usage headers of the latest answers; null when unknown. Collection leaves an account alone
   * above 0.5, so publishing always has the other half.
   */
  usage?(account: InsightsAccount): number | null;
}

/** Key of a refused metric in InsightsCallContext.refused. */
export function refusedKey(surface: string, metric: string): string {
  return `${surface}:${metric}`;
}
