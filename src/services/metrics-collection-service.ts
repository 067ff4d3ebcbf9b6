import type { AccountMetricsRow, AccountRow, MetricRefusalRow, PostMetricsRow, Repos } from '../db/repos/index.js';
import type { DuePostRow } from '../db/repos/collection-repo.js';
import { HORIZONS, type Horizon } from '../domain/metrics.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../log.js';
import {
  InsightsPermissionError,
  refusedKey,
  type InsightsAccount,
  type InsightsPost,
  type InsightsReader,
  type InsightsResult,
  type RefusedMetric,
} from '../platforms/insights.js';
import { addDays, dayInZone } from '../lib/zoned-time.js';
import type { Networks } from '../platforms/registry.js';
import type { AccountsService } from './accounts-service.js';

const DAY_MS = 86_400_000;

/** How collection paces itself (docs/results.md#pacing); tests shorten the waits. */
export interface CollectionOptions {
  /** Reader calls one run may make in all; the rest waits for the next run (every 5 minutes). */
  readonly budget: number;
  /** Accounts of one network read at once. */
  readonly concurrency: number;
  /** One reader call's limit: a hung insights endpoint costs its account's turn, nothing more. */
  readonly callTimeoutMs: number;
  /** After the last horizon, how long a missed snapshot may still be taken (Herald was down). */
  readonly graceMs: number;
  /** Above this share of its rate budget an account is left alone: publishing keeps the rest. */
  readonly usageCeiling: number;
  /** Days read back for an account with none stored yet, and the most ever read in one go. */
  readonly backfillDays: number;
  /** Its latest days are read again on every daily read: networks revise them (Meta lags up to 48 h). */
  readonly rereadDays: number;
}

export const DEFAULT_COLLECTION_OPTIONS: CollectionOptions = {
  budget: 300,
  concurrency: 2,
  callTimeoutMs: 30_000,
  graceMs: 3 * DAY_MS,
  usageCeiling: 0.5,
  backfillDays: 30,
  rereadDays: 3,
};

export interface CollectionDeps {
  readonly repos: Repos;
  readonly clock: Clock;
  readonly log: Logger;
  readonly networks: Networks;
  readonly accounts: AccountsService;
  /** The publishing path's refresher: an expiring token is renewed (one refresh per account) before use. */
  readonly tokens: { ensureFresh(accountId: string): Promise<void> };
}

type Counts = {
  calls: number;
  snapshots: number;
  gone: number;
  days: number;
  refused: number;
  blocked: number;
  deferred: number;
  errors: number;
};

/** Thrown to end an account's turn when the run's call budget is spent. */
class BudgetSpent extends Error {}

/**
 * The days an account's daily read covers: since its last stored day (its last few again, as
 * networks revise them), at most `backfillDays` back, through today in the client's zone.
 */
export function daysToRead(lastDay: string | null, today: string, options: CollectionOptions): string[] {
  const earliest = addDays(today, -(options.backfillDays - 1));
  let start = lastDay ? addDays(lastDay, -(options.rereadDays - 1)) : earliest;
  if (start < earliest) start = earliest;
  const days: string[] = [];
  for (let d = start; d <= today; d = addDays(d, 1)) days.push(d);
  return days;
}

/** Where a post went on its network (`feed` unless its options say `story` or `reel`); readers also see its media. */
function surfaceOf(options: Record<string, unknown>): string {
  return typeof options.surface === 'string' ? options.surface : 'feed';
}

/**
 * The collect-metrics job's work (docs/results.md): each published post at its current horizon,
 * each account's days once a day. The snapshot tables are the progress, so a run that stops half
 * way (a restart, a lost lead) is picked up by the next. It shares nothing with publishing but
 * the token refresher: its own concurrency, its own timeouts, and it leaves any account whose
 * rate budget is half used alone.
 */
export class MetricsCollector {
  readonly options: CollectionOptions;

  constructor(
    private readonly deps: CollectionDeps,
    options: Partial<CollectionOptions> = {},
  ) {
    this.options = { ...DEFAULT_COLLECTION_OPTIONS, ...options };
  }

  async run(signal: AbortSignal): Promise<Counts> {
    const { repos, clock, networks } = this.deps;
    const counts: Counts = { calls: 0, snapshots: 0, gone: 0, days: 0, refused: 0, blocked: 0, deferred: 0, errors: 0 };
    const readers = new Map<string, InsightsReader>();
    for (const network of networks.list) for (const r of network.insights) readers.set(r.platform, r);
    if (!readers.size) return counts;
    const platforms = [...readers.keys()];
    const now = clock.now();
    const last = HORIZONS[HORIZONS.length - 1]!;
    const maxBatch = Math.max(...[...readers.values()].map((r) => r.batchSize));
    const due = repos.collection.duePosts(
      now,
      HORIZONS,
      now - last.afterMs - this.options.graceMs,
      this.options.budget * maxBatch,
      platforms,
    );
    const postsByAccount = new Map<string, DuePostRow[]>();
    for (const row of due) postsByAccount.set(row.accountId, [...(postsByAccount.get(row.accountId) ?? []), row]);

    const turns = new Map<string, { accountId: string; timezone: string; days: string[] }[]>();
    for (const a of repos.collection.accounts(platforms)) {
      const today = dayInZone(now, a.timezone);
      const readToday = a.lastCollectedAt !== null && dayInZone(a.lastCollectedAt, a.timezone) === today;
      const days = readToday ? [] : daysToRead(a.lastDay, today, this.options);
      if (!days.length && !postsByAccount.has(a.accountId)) continue;
      const key = networks.networkOf(a.platform)?.descriptor.id ?? a.platform;
      turns.set(key, [...(turns.get(key) ?? []), { accountId: a.accountId, timezone: a.timezone, days }]);
    }

    const budget = { left: this.options.budget };
    const refusedSets = new Map<string, Set<string>>();
    const refusedOf = (platform: string) => {
      let set = refusedSets.get(platform);
      if (!set) {
        set = new Set(repos.metrics.refusals(platform).map((r) => refusedKey(r.surface, r.metric)));
        refusedSets.set(platform, set);
      }
      return set;
    };
    // Each network's accounts by a few workers at a time; networks side by side.
    await Promise.all(
      [...turns.values()].map(async (queue) => {
        const workers = Array.from({ length: Math.min(this.options.concurrency, queue.length) }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            if (signal.aborted || budget.left <= 0) return;
            const account = repos.accounts.get(next.accountId);
            const reader = account && readers.get(account.platform);
            if (!account || !reader) continue;
            await this.turn(account, reader, next.timezone, next.days, postsByAccount.get(account.id) ?? [], {
              signal,
              budget,
              counts,
              refused: refusedOf(account.platform),
            });
          }
        });
        await Promise.all(workers);
      }),
    );
    return counts;
  }

  /** One account's turn: its due posts in batches, then its days; any error ends the turn, not the run. */
  private async turn(
    row: AccountRow,
    reader: InsightsReader,
    timezone: string,
    days: readonly string[],
    due: readonly DuePostRow[],
    run: { signal: AbortSignal; budget: { left: number }; counts: Counts; refused: Set<string> },
  ): Promise<void> {
    const { repos, clock, log, accounts, tokens } = this.deps;
    const { counts } = run;
    try {
      await tokens.ensureFresh(row.id);
      const fresh = repos.accounts.get(row.id);
      if (fresh?.status !== 'connected' || fresh.insightsBlocked) return;
      // Connected before results asked for their permissions: say so rather than ask and be refused.
      const missing = this.deps.networks.missingInsightScopes(
        fresh.platform,
        fresh.scopes ?? '',
        JSON.parse(fresh.platformData) as Record<string, unknown>,
      );
      if (missing) {
        const why = `reconnect to see results (missing permission: ${missing.join(', ')})`;
        repos.collection.setInsightsBlocked(fresh.id, why, clock.now());
        counts.blocked++;
        return;
      }
      const account: InsightsAccount = {
        ...accounts.forPlatform(fresh),
        scopes: fresh.scopes ?? '',
        timezone,
      };
      const call = async <T>(ask: (signal: AbortSignal) => Promise<InsightsResult<T>>): Promise<T[] | null> => {
        const usage = reader.usage?.(account) ?? null;
        if (usage !== null && usage > this.options.usageCeiling) {
          counts.deferred++;
          return null;
        }
        if (run.budget.left <= 0 || run.signal.aborted) throw new BudgetSpent();
        run.budget.left--;
        counts.calls++;
        const result = await this.bounded(ask, run.signal);
        this.noteRefusals(reader.platform, result.refused, run.refused, counts);
        return [...result.readings];
      };

      const kinds = repos.collection.mediaKinds(due.map((d) => d.postId));
      const size = Math.max(1, reader.batchSize);
      for (let i = 0; i < due.length; i += size) {
        const batch = due.slice(i, i + size);
        const posts: InsightsPost[] = batch.map((d) => {
          const media = kinds.get(d.postId) ?? [];
          const options = d.options ? (JSON.parse(d.options) as Record<string, unknown>) : {};
          return {
            postId: d.postId,
            externalId: d.externalId,
            permalink: d.permalink,
            publishedAt: d.publishedAt,
            surface: surfaceOf(options),
            media,
          };
        });
        const readings = await call((signal) => reader.postMetrics(account, posts, { signal, refused: run.refused }));
        if (!readings) return;
        const now = clock.now();
        for (const r of readings) {
          const d = batch.find((b) => b.postId === r.postId);
          if (!d) continue;
          const v = r.values;
          const horizon: Horizon = d.horizon;
          const snapshot: PostMetricsRow = {
            postId: d.postId,
            horizon,
            clientId: d.clientId,
            accountId: d.accountId,
            platform: d.platform,
            collectedAt: now,
            views: v.views ?? null,
            reach: v.reach ?? null,
            likes: v.likes ?? null,
            comments: v.comments ?? null,
            shares: v.shares ?? null,
            saves: v.saves ?? null,
            clicks: v.clicks ?? null,
            follows: v.follows ?? null,
            watchTimeMs: v.watchTimeMs ?? null,
            raw: { ...r.raw },
            error: r.gone ?? null,
          };
          if (repos.metrics.insertPostSnapshot(snapshot)) counts[r.gone ? 'gone' : 'snapshots']++;
        }
      }
      if (days.length) {
        const readings = await call((signal) => reader.accountMetrics(account, days, { signal, refused: run.refused }));
        if (!readings) return;
        const now = clock.now();
        for (const r of readings) {
          const day: AccountMetricsRow = {
            accountId: row.id,
            day: r.day,
            clientId: row.clientId,
            platform: row.platform,
            collectedAt: now,
            followers: r.values.followers ?? null,
            views: r.values.views ?? null,
            reach: r.values.reach ?? null,
            engagements: r.values.engagements ?? null,
            raw: { ...r.raw },
          };
          repos.metrics.upsertAccountDay(day);
          counts.days++;
        }
      }
    } catch (err) {
      if (err instanceof BudgetSpent) return;
      if (err instanceof InsightsPermissionError) {
        repos.collection.setInsightsBlocked(row.id, `reconnect to see results (${err.message})`, clock.now());
        log.warn({ accountId: row.id, platform: row.platform, err: err.message }, 'results need a reconnect');
        counts.blocked++;
        return;
      }
      // Rate limits, timeouts, a network down: this account waits for the next run.
      counts.errors++;
      log.warn({ accountId: row.id, platform: row.platform, err: (err as Error).message }, 'results not read');
    }
  }

  /** A reader call with its own deadline, which holds even when a reader ignores its signal. */
  private async bounded<T>(ask: (signal: AbortSignal) => Promise<T>, outer: AbortSignal): Promise<T> {
    const controller = new AbortController();
    const signal = AbortSignal.any([outer, controller.signal]);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(
        () => controller.abort(new Error(`no answer within ${this.options.callTimeoutMs} ms`)),
        this.options.callTimeoutMs,
      );
      timer.unref();
    });
    try {
      if (signal.aborted) throw signal.reason;
      return await Promise.race([ask(signal), stopped]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** A refused metric is logged once and stored; the run's set keeps later calls from asking again. */
  private noteRefusals(platform: string, refused: readonly RefusedMetric[], set: Set<string>, counts: Counts): void {
    for (const r of refused) {
      set.add(refusedKey(r.surface, r.metric));
      const row: MetricRefusalRow = {
        platform,
        metric: r.metric,
        surface: r.surface,
        message: r.message,
        refusedAt: this.deps.clock.now(),
      };
      if (this.deps.repos.metrics.addRefusal(row)) {
        counts.refused++;
        this.deps.log.warn({ platform, metric: r.metric, surface: r.surface, why: r.message }, 'metric refused');
      }
    }
  }
}
