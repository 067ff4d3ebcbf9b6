import { performance } from 'node:perf_hooks';
import type { Database } from '../db/client.js';
import type { Repos } from '../db/repos/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../log.js';

export const SCHEDULER_LEASE = 'scheduler';

/**
 * The leader lease (docs/architecture.md#the-leader-lease). One row per lease; the holder renews it every
 * TTL/3; anyone takes it once it has expired, raising the epoch. The epoch is a fencing token:
 * every claim re-checks it inside its own write transaction, so a leader that was paused past
 * its TTL can no longer claim anything after a takeover.
 *
 * Besides the shared wall-clock expiry, the leader keeps a monotonic self-deadline: it stops
 * calling itself leader `TTL - margin` after its last successful renewal even if it never got
 * to run a renewal (event loop blocked, process stopped), before anyone else can take over.
 */
export class LeaderLease {
  private epochValue = 0;
  private leader = false;
  private deadline = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(leader: boolean) => void>();
  private readonly marginMs: number;

  constructor(
    private readonly deps: { database: Database; repos: Repos; clock: Clock; log: Logger },
    readonly holder: string,
    private readonly ttlMs: number,
    readonly name = SCHEDULER_LEASE,
  ) {
    this.marginMs = Math.min(3000, Math.floor(ttlMs / 5));
  }

  get epoch(): number {
    return this.epochValue;
  }

  /** True while we hold the lease and are inside our own self-deadline. */
  isLeader(): boolean {
    if (this.leader && performance.now() >= this.deadline)
      this.setLeader(false, 'self-deadline passed without a renewal');
    return this.leader;
  }

  /** Time left before the self-deadline, for callers that must finish a step before it. */
  remainingMs(): number {
    return this.isLeader() ? this.deadline - performance.now() : 0;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), Math.max(250, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** One acquire-or-renew round; public so tests and start-up can drive it. */
  tick(): void {
    const { database, repos, clock } = this.deps;
    const startedMono = performance.now();
    try {
      const now = clock.now();
      if (this.leader) {
        const renewed = database.immediate(() =>
          repos.system.renewLease(this.name, this.holder, this.epochValue, now, this.ttlMs),
        );
        if (renewed) this.deadline = startedMono + this.ttlMs - this.marginMs;
        else this.setLeader(false, 'lease lost');
        return;
      }
      const acquired = database.immediate(() => {
        repos.system.ensureLease(this.name);
        if (!repos.system.acquireLease(this.name, this.holder, now, this.ttlMs)) return null;
        return repos.system.getLease(this.name)?.epoch ?? null;
      });
      if (acquired !== null) {
        this.epochValue = acquired;
        this.deadline = startedMono + this.ttlMs - this.marginMs;
        this.setLeader(true, 'lease acquired');
      }
    } catch (err) {
      // SQLITE_BUSY and friends mean "try again next round", not "we lost": the self-deadline
      // decides when an unrenewed leader must stop.
      this.deps.log.warn({ err: (err as Error).message }, 'lease round failed');
      this.isLeader();
    }
  }

  /** Stops renewing and hands the lease back so another process can take over at once. */
  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.leader) {
      try {
        this.deps.repos.system.releaseLease(this.name, this.holder, this.epochValue);
      } catch (err) {
        this.deps.log.warn({ err: (err as Error).message }, 'could not release the lease');
      }
      this.setLeader(false, 'released');
    }
  }

  private setLeader(leader: boolean, why: string): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.deps.log.info({ holder: this.holder, epoch: this.epochValue, leader }, why);
    for (const listener of this.listeners) listener(leader);
  }
}
