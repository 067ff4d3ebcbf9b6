import { afterEach, describe, expect, it } from 'vitest';
import { LeaderLease } from '../../src/jobs/lease.js';
import { Scheduler, type JobContext, type JobDefinition } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/log.js';
import { makeHerald, type TestHerald } from '../helpers/herald.js';

// The scheduler on a real database: what happens to runs when the lead changes hands, and when
// the database refuses to record a run.

let t: TestHerald;
afterEach(() => t?.close());

/** A job that runs until its signal aborts, and says what it saw. */
function waitingJob(seen: { ctx?: JobContext; reason?: unknown }): JobDefinition {
  return {
    id: 'maintenance',
    title: 'waits for its signal',
    schedule: '0 0 0 1 1 *',
    leaderOnly: true,
    run: (ctx) =>
      new Promise((_, reject) => {
        seen.ctx = ctx;
        ctx.signal.addEventListener('abort', () => {
          seen.reason = ctx.signal.reason;
          reject(ctx.signal.reason as Error);
        });
      }),
  };
}

function schedulerOn(t: TestHerald, lease: LeaderLease, jobs: JobDefinition[]): Scheduler {
  const { database, repos, clock } = t.herald;
  return new Scheduler({ database, repos, clock, log: createLogger('silent'), lease }, jobs);
}

/** A fresh Herald database with `jobs` on a scheduler whose process holds the lead. */
async function leading(jobs: JobDefinition[]): Promise<{ lease: LeaderLease; scheduler: Scheduler }> {
  t = await makeHerald();
  const lease = new LeaderLease({ ...t.herald, log: createLogger('silent') }, 'proc-a', 15_000);
  const scheduler = schedulerOn(t, lease, jobs);
  lease.tick();
  scheduler.start();
  return { lease, scheduler };
}

describe('the lead changing hands', () => {
  it('a run in progress is told to stop when this process loses the lead, and is recorded as stopped', async () => {
    const seen: { ctx?: JobContext; reason?: unknown } = {};
    const job = waitingJob(seen);
    const { lease, scheduler } = await leading([job]);
    const running = scheduler.trigger(job, 'schedule');
    expect(seen.ctx?.signal.aborted).toBe(false);
    lease.release();
    await running;
    expect((seen.reason as Error).message).toBe('this process lost the lead');
    const run = t.herald.repos.system.getRun(seen.ctx!.runId)!;
    expect(run).toMatchObject({ status: 'error', error: 'this process lost the lead' });
    await scheduler.stop(1000);
  });

  it(
    'only the process that takes the lead closes the runs of the one before; ' + 'a follower leaves them alone',
    async () => {
      t = await makeHerald();
      const { repos, clock } = t.herald;
      const now = clock.now();
      repos.system.insertRun({
        id: 'run_old',
        job: 'backup',
        trigger: 'schedule',
        status: 'running',
        requestedAt: now,
        startedAt: now,
        finishedAt: null,
        durationMs: null,
        counts: null,
        params: null,
        error: null,
        holder: 'proc-old',
      });
      const log = createLogger('silent');
      // proc-old still holds the lease: a second process starting up is a follower.
      const old = new LeaderLease({ ...t.herald, log }, 'proc-old', 60_000);
      old.tick();
      expect(old.isLeader()).toBe(true);
      const followerLease = new LeaderLease({ ...t.herald, log }, 'proc-b', 60_000);
      followerLease.tick();
      const follower = schedulerOn(t, followerLease, []);
      follower.start();
      expect(repos.system.getRun('run_old')!.status).toBe('running');
      // proc-old goes away; proc-b takes over and closes what proc-old left running.
      old.release();
      followerLease.tick();
      expect(followerLease.isLeader()).toBe(true);
      expect(repos.system.getRun('run_old')).toMatchObject({
        status: 'error',
        error: 'the process running it stopped',
      });
      await follower.stop(1000);
    },
  );

  it('stopping the process tells runs in progress to stop', async () => {
    const seen: { ctx?: JobContext; reason?: unknown } = {};
    const job = waitingJob(seen);
    const { scheduler } = await leading([job]);
    void scheduler.trigger(job, 'schedule');
    await scheduler.stop(1000);
    expect((seen.reason as Error).message).toBe('this process is stopping');
  });
});

describe('a database that refuses the run record', () => {
  it('skips the run with a log line instead of an unhandled rejection', async () => {
    let ran = false;
    const job: JobDefinition = {
      id: 'backup',
      title: 'x',
      schedule: '0 0 0 1 1 *',
      leaderOnly: true,
      run: async () => {
        ran = true;
        return {};
      },
    };
    const { scheduler } = await leading([job]);
    t.herald.database.sqlite.pragma('query_only = ON');
    try {
      await expect(scheduler.trigger(job, 'schedule')).resolves.toBeUndefined();
      expect(ran).toBe(false);
    } finally {
      t.herald.database.sqlite.pragma('query_only = OFF');
      await scheduler.stop(1000);
    }
  });
});
