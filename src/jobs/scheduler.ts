import { Cron } from 'croner';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { NotFoundError } from '../domain/errors.js';
import type { Database } from '../db/client.js';
import type { JobRunRow, Repos } from '../db/repos/index.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import { moduleLogger, type Logger } from '../log.js';
import { recordAudit } from '../services/audit.js';
import { emitEvent } from '../services/events.js';
import type { LeaderLease } from './lease.js';

export const JOB_IDS = [
  'publish-due',
  'reconcile',
  'generate-content',
  'refresh-tokens',
  'maintenance',
  'backup',
  'collect-metrics',
  'report-monthly',
  'evergreen',
  'check-feeds',
] as const;
export type JobId = (typeof JOB_IDS)[number];
export type JobCounts = Record<string, number>;
export type JobTrigger = JobRunRow['trigger'];

export interface JobContext {
  readonly runId: string;
  readonly trigger: JobTrigger;
  readonly log: Logger;
  /** What a requested run should cover (e.g. `{clientId}` for one client's content rules). */
  readonly params: Readonly<Record<string, string>>;
  /**
   * Aborted when this process stops or loses the lead: long runs stop between steps, so a
   * deposed leader does not keep refreshing tokens or writing posts beside the new one.
   */
  readonly signal: AbortSignal;
}

export interface JobDefinition {
  readonly id: JobId;
  readonly title: string;
  /** croner pattern with seconds. */
  readonly schedule: string;
  /** Runs only in the process holding the leader lease. */
  readonly leaderOnly: boolean;
  /** Asked every second by the leader; true starts a run at once (the publish due check). */
  readonly wake?: () => boolean;
  run(ctx: JobContext): Promise<JobCounts>;
}

const TICK_MS = 1000;
/** A job that keeps failing the same way is told about once an hour, not on every run. */
const REPEAT_FAILURE_NOTICE_MS = 3_600_000;

/**
 * Runs the one declarative job list: each job on its croner schedule, woken early by its `wake`
 * check, or on request (`runNow`, which queues a row the leader picks up, so a request made on a
 * follower still runs exactly once, in the leader). A job never overlaps itself in a process,
 * and only the leader runs leader-only jobs. Every run is a job_runs row.
 */
export class Scheduler {
  private readonly crons: Cron[] = [];
  private readonly running = new Map<JobId, Promise<void>>();
  private ticker: NodeJS.Timeout | null = null;
  private stopped = true;
  /** One per term as leader: aborted when the term ends. */
  private term = new AbortController();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly deps: {
      database: Database;
      repos: Repos;
      clock: Clock;
      log: Logger;
      lease: LeaderLease;
      /** PUBLIC_URL, for the link in a job.failed event. */
      publicUrl?: string;
    },
    readonly jobs: readonly JobDefinition[],
  ) {
    const ids = new Set<string>();
    for (const job of jobs) {
      if (ids.has(job.id)) throw new Error(`job ${job.id} is listed twice`);
      ids.add(job.id);
    }
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.deps.lease.onChange((leader) =>
      leader ? this.beginTerm() : this.term.abort(new Error('this process lost the lead')),
    );
    if (this.deps.lease.isLeader()) this.beginTerm();
    for (const job of this.jobs) {
      this.crons.push(
        new Cron(
          job.schedule,
          { name: `herald:${job.id}`, protect: true, unref: true, catch: true },
          () => void this.trigger(job, 'schedule'),
        ),
      );
    }
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
  }

  /**
   * A new term as leader. Runs still marked running belong to a leader that is gone or was
   * deposed (only the leader runs jobs), so they would otherwise look alive forever.
   */
  private beginTerm(): void {
    this.term = new AbortController();
    try {
      this.deps.repos.system.abandonRunningRuns(this.deps.lease.holder, this.deps.clock.now());
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'could not close the previous leader’s runs');
    }
  }

  /** One round of the per-second loop: wake checks, then queued run requests. */
  tick(): void {
    if (this.stopped || !this.deps.lease.isLeader()) return;
    for (const job of this.jobs) {
      try {
        if (job.wake && !this.running.has(job.id) && job.wake()) void this.trigger(job, 'due');
      } catch (err) {
        this.deps.log.error({ job: job.id, err }, 'wake check failed');
      }
    }
    this.takeQueued();
  }

  private takeQueued(): void {
    const { database, repos, clock, lease } = this.deps;
    const free = this.jobs.filter((j) => !this.running.has(j.id)).map((j) => j.id);
    if (free.length === 0) return;
    let run: JobRunRow | undefined;
    try {
      // Nearly always nothing is queued: a read, not a write transaction, every second.
      if (!repos.system.hasQueuedRun()) return;
      run = database.immediate(() => repos.system.takeQueuedRun(free, lease.holder, clock.now()));
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'could not read queued runs');
      return;
    }
    const job = run && this.jobs.find((j) => j.id === run.job);
    if (run && job) {
      void this.execute(job, run.id, 'manual', run.params ?? {});
      this.takeQueued();
    }
  }

  /** Starts a run of `job` now unless it is already running here or we may not run it. */
  async trigger(job: JobDefinition, trigger: JobTrigger): Promise<void> {
    if (this.stopped || this.running.has(job.id)) return;
    if (job.leaderOnly && !this.deps.lease.isLeader()) return;
    const now = this.deps.clock.now();
    const runId = newId('run', now);
    try {
      this.insertRunning(job, runId, trigger, now);
    } catch (err) {
      // Called without await from timers: a busy or full database must not become an unhandled rejection.
      this.deps.log.error({ job: job.id, err }, 'could not record the start of a run; skipped');
      return;
    }
    await this.execute(job, runId, trigger, {});
  }

  private insertRunning(job: JobDefinition, runId: string, trigger: JobTrigger, now: number): void {
    this.deps.repos.system.insertRun({
      id: runId,
      job: job.id,
      trigger,
      status: 'running',
      requestedAt: now,
      startedAt: now,
      finishedAt: null,
      durationMs: null,
      counts: null,
      params: null,
      error: null,
      holder: this.deps.lease.holder,
    });
  }

  private execute(
    job: JobDefinition,
    runId: string,
    trigger: JobTrigger,
    params: Readonly<Record<string, string>>,
  ): Promise<void> {
    const { repos, clock, log } = this.deps;
    const started = clock.now();
    const jobLog = moduleLogger(log, 'job').child({ job: job.id, runId });
    const signal = this.term.signal;
    const promise = (async () => {
      try {
        const counts = await job.run({ runId, trigger, log: jobLog, params, signal });
        const finished = clock.now();
        repos.system.updateRun(runId, { status: 'ok', counts, finishedAt: finished, durationMs: finished - started });
        if (trigger !== 'due' || Object.values(counts).some((n) => n > 0))
          jobLog.info({ counts, trigger }, 'job finished');
      } catch (err) {
        const finished = clock.now();
        jobLog.error({ err }, 'job failed');
        const error = (err as Error).message ?? String(err);
        const failed = { status: 'error' as const, error, finishedAt: finished, durationMs: finished - started };
        try {
          this.deps.database.immediate(() => {
            repos.system.updateRun(runId, failed);
            // A run stopped because this process stops or lost the lead did not fail: it runs again elsewhere.
            if (!signal.aborted) this.tellFailure(job, runId, trigger, error);
          });
        } catch (recordErr) {
          jobLog.error({ err: recordErr }, 'could not record the failed run with its event');
          try {
            repos.system.updateRun(runId, failed);
          } catch {
            // the database itself may be the problem; the log lines above are what remains
          }
        }
      } finally {
        this.running.delete(job.id);
      }
    })();
    this.running.set(job.id, promise);
    return promise;
  }

  /**
   * A job.failed event, in the transaction that records the failed run. The same error from the
   * same job again within the hour (a job run every minute, or woken every second) is not retold.
   */
  private tellFailure(job: JobDefinition, runId: string, trigger: JobTrigger, error: string): void {
    const now = this.deps.clock.now();
    const last = this.deps.repos.events.lastWith('job.failed', 'jobId', job.id);
    if (last && last.data.error === error && now - last.createdAt < REPEAT_FAILURE_NOTICE_MS) return;
    const base = (this.deps.publicUrl ?? '').replace(/\/+$/, '');
    emitEvent(this.deps, 'job.failed', null, {
      title: `Job failed: ${job.title}`,
      text: `${error} The System page shows its runs; it runs again on its schedule.`,
      ...(base ? { url: `${base}/system` } : {}),
      jobId: job.id,
      jobTitle: job.title,
      runId,
      trigger,
      error,
    });
  }

  /**
   * POST /jobs/:name/run and the pages' buttons: queue a run; the leader starts it within a
   * second. A request for a run that is already queued (same job, same params) and not yet
   * started is merged into it: five clicks on "Run now" make one run, not five back to back.
   */
  runNow(
    id: string,
    params: Record<string, string> | null = null,
    actor: Actor = SYSTEM,
  ): { runId: string; merged: boolean } {
    const job = this.jobs.find((j) => j.id === id);
    if (!job) throw new NotFoundError(`Job "${id}"`);
    const { database, repos, clock } = this.deps;
    const wanted = paramsKey(params);
    // One write transaction: two requests at the same moment (two processes) still make one run.
    const result = database.immediate(() => {
      const queued = repos.system.queuedRunsOf(job.id).find((run) => paramsKey(run.params) === wanted);
      if (queued) return { runId: queued.id, merged: true };
      const now = clock.now();
      const runId = newId('run', now);
      repos.system.insertRun({
        id: runId,
        job: job.id,
        trigger: 'manual',
        status: 'queued',
        requestedAt: now,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        counts: null,
        params,
        error: null,
        holder: null,
      });
      recordAudit(this.deps, actor, {
        kind: 'job.run',
        clientId: params?.clientId ?? null,
        targetId: runId,
        summary: `Ran ${job.id} now`,
        after: params ? { ...params } : null,
      });
      return { runId, merged: false };
    });
    setImmediate(() => this.tick());
    return result;
  }

  /** The latest run of each job (for the dashboard, the System page and GET /jobs). */
  lastRuns(): Map<string, JobRunRow> {
    return new Map(this.deps.repos.system.lastRunPerJob(this.jobs.map((j) => j.id)).map((r) => [r.job, r]));
  }

  isRunning(id: JobId): boolean {
    return this.running.has(id);
  }

  /** Stops scheduling and waits (bounded) for runs in progress. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.term.abort(new Error('this process is stopping'));
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    for (const cron of this.crons) cron.stop();
    this.crons.length = 0;
    const pending = [...this.running.values()];
    if (pending.length === 0) return;
    await Promise.race([Promise.allSettled(pending), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}

/** Params compared by content: key order and "none" versus "empty" do not make runs different. */
function paramsKey(params: Readonly<Record<string, string>> | null): string {
  const entries = Object.entries(params ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}
