import { transition } from '../../domain/post-status.js';
import { newId } from '../../lib/ids.js';
import { notices, UNCONFIRMED_NOTICE_MS, UNCONFIRMED_NOTICE_STEP, type Notices } from '../notices.js';
import { runAttempt } from './attempt.js';
import { reconcile } from './reconcile.js';
import type { SettleDeps } from './settle.js';
import { DEFAULT_ENGINE_OPTIONS, type EngineDeps, type EngineOptions, type EngineRuntime } from './runtime.js';

export type { EngineOptions } from './runtime.js';

interface InFlight {
  accountId: string;
  done: Promise<void>;
}

/**
 * The publishing engine: claims due posts (fenced by the lease epoch, committed before any
 * network call), runs each claim as one attempt with at most one publish in flight per account
 * and PUBLISH_CONCURRENCY overall, and marks missed what can no longer go out on time.
 */
export class PublishingEngine {
  private readonly inFlight = new Map<string, InFlight>();
  private dueSoon = { checkedAt: Number.NEGATIVE_INFINITY, value: false };
  private stopped = false;
  private refillQueued = false;
  readonly options: EngineOptions;
  /** What settling an attempt needs; shared by the attempts and the reconciler. */
  readonly settle: SettleDeps;
  /** What attempts and the reconciler see of the engine. */
  private readonly runtime: EngineRuntime;
  private readonly notices: Notices;

  constructor(
    readonly deps: EngineDeps,
    options: Partial<EngineOptions> = {},
  ) {
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.notices = notices(deps);
    this.settle = {
      notices: this.notices,
      database: deps.database,
      repos: deps.repos,
      clock: deps.clock,
      log: deps.posts.log,
      onOutcome: deps.onOutcome,
    };
    this.runtime = {
      deps,
      options: this.options,
      settle: this.settle,
      isInFlight: (postId) => this.inFlight.has(postId),
    };
  }

  get busyAccounts(): string[] {
    return [...new Set([...this.inFlight.values()].map((f) => f.accountId))];
  }

  isInFlight(postId: string): boolean {
    return this.inFlight.has(postId);
  }

  /** Platforms whose whole app is throttled right now. */
  pausedPlatforms(now: number): string[] {
    return this.deps.repos.system
      .activeRateLimits(now)
      .filter((r) => r.scope.startsWith('platform:'))
      .map((r) => r.scope.slice('platform:'.length));
  }

  /**
   * Publishing is busy now or about to be: a post in flight, or one due within `withinMs`. Work
   * that shares the process (notification delivery) steps back meanwhile. The due check is a read
   * of one index row, made at most every 200 ms.
   */
  busy(withinMs = 2_000): boolean {
    if (this.inFlight.size > 0) return true;
    const now = performance.now();
    if (now - this.dueSoon.checkedAt >= 200) {
      this.dueSoon = { checkedAt: now, value: this.deps.repos.publishing.dueBy(this.deps.clock.now() + withinMs) };
    }
    return this.dueSoon.value;
  }

  /** The per-second due check: anything to claim, or to mark missed? */
  hasWork(): boolean {
    const now = this.deps.clock.now();
    if (this.inFlight.size >= this.deps.config.publishConcurrency) return false;
    return (
      this.deps.repos.publishing.hasReady(now, this.pausedPlatforms(now), this.busyAccounts) ||
      this.deps.repos.publishing.hasOverdueOrUnapproved(now - this.deps.config.missedGraceMs, now)
    );
  }

  /** One round: mark missed posts, then claim and start as many ready posts as capacity allows. */
  runDue(): { claimed: number; missed: number; running: number } {
    const { repos, clock, lease, config } = this.deps;
    const now = clock.now();
    const missed = this.markMissed(now);
    let claimed = 0;
    const free = config.publishConcurrency - this.inFlight.size;
    if (free > 0 && !this.stopped && lease.isLeader()) {
      const busy = new Set(this.busyAccounts);
      const candidates = repos.publishing.ready(now, this.pausedPlatforms(now), [...busy], free * 4);
      for (const candidate of candidates) {
        if (this.inFlight.size >= config.publishConcurrency) break;
        if (busy.has(candidate.accountId)) continue;
        const attemptId = this.claim(candidate.id, now);
        if (!attemptId) continue;
        busy.add(candidate.accountId);
        claimed++;
        const done = runAttempt(this.runtime, candidate.id, attemptId)
          .catch((err: unknown) => this.deps.log.error({ postId: candidate.id, err }, 'attempt crashed'))
          .finally(() => {
            this.inFlight.delete(candidate.id);
            this.refill();
          });
        this.inFlight.set(candidate.id, { accountId: candidate.accountId, done });
      }
    }
    return { claimed, missed, running: this.inFlight.size };
  }

  /**
   * A slot came free: claim the next ready post now rather than at the next due check, so a
   * burst drains at PUBLISH_CONCURRENCY / latency instead of one batch per second.
   */
  private refill(): void {
    if (this.stopped || this.refillQueued) return;
    this.refillQueued = true;
    setImmediate(() => {
      this.refillQueued = false;
      if (this.stopped || !this.deps.lease.isLeader()) return;
      const now = this.deps.clock.now();
      if (this.deps.repos.publishing.hasReady(now, this.pausedPlatforms(now), this.busyAccounts)) this.runDue();
    });
  }

  /** No new claims from now on (shutdown); publishes in flight carry on. */
  stop(): void {
    this.stopped = true;
  }

  /** Claims one post and records its attempt, in one fenced transaction. */
  private claim(postId: string, now: number): string | null {
    const { database, repos, lease } = this.deps;
    const attemptId = newId('att', now);
    const fence = { lease: lease.name, holder: lease.holder, epoch: lease.epoch, now };
    const ok = database.immediate(() => {
      if (!repos.publishing.claim(postId, attemptId, fence)) return false;
      const previous = repos.publishing.previousAttempt(postId, attemptId);
      repos.publishing.insertAttempt({
        id: attemptId,
        postId,
        epoch: lease.epoch,
        holder: lease.holder,
        step: 'claimed',
        state: previous ? { previous: previous.state } : {},
        startedAt: now,
        sentAt: null,
        finishedAt: null,
        outcome: 'pending',
        error: null,
      });
      const post = repos.posts.get(postId)!;
      this.deps.posts.log(postId, {
        step: 'claim',
        level: 'info',
        attemptId,
        message: `Publishing (attempt ${post.attempts})`,
      });
      return true;
    });
    return ok ? attemptId : null;
  }

  /**
   * Posts that can no longer go out as planned: scheduled ones never tried and later than the
   * grace period (Herald was down), and ones still awaiting approval at their time.
   */
  private markMissed(now: number): number {
    const { repos, config, database } = this.deps;
    let count = 0;
    const mark = (id: string, from: 'scheduled' | 'pending_approval', reason: string) => {
      database.immediate(() => {
        const post = repos.posts.get(id);
        if (!post || post.status !== from) return;
        repos.posts.update(
          id,
          { status: transition(post.status, 'miss'), lastError: reason, updatedAt: now },
          post.version,
        );
        this.deps.posts.log(id, { step: 'miss', level: 'warn', message: reason });
        this.notices.postChanged(post, repos.posts.get(id)!, 'miss', null);
        count++;
      });
    };
    const graceMinutes = Math.round(config.missedGraceMs / 60_000);
    for (const id of repos.publishing.overdue(now - config.missedGraceMs, 100)) {
      mark(
        id,
        'scheduled',
        `Missed: its time passed more than ${graceMinutes} minutes ago while it could not be published. ` +
          'Set a new time to send it.',
      );
    }
    for (const id of repos.publishing.unapprovedAtSlot(now, 100)) {
      mark(
        id,
        'pending_approval',
        'Missed: it was not approved by its time. Approve it with a new time to publish it.',
      );
    }
    return count;
  }

  /** Checks unknown outcomes and posts left behind by a stopped process. */
  async reconcile(): Promise<Record<string, number>> {
    const counts = await reconcile(this.runtime);
    return { ...counts, toldUnconfirmed: this.tellLongUnconfirmed() };
  }

  /**
   * Posts whose outcome has been unknown for UNCONFIRMED_NOTICE_MS: one post.unconfirmed each per
   * unknown spell, written with its post_logs marker in one commit, so it is never told twice.
   */
  private tellLongUnconfirmed(): number {
    const { repos, clock, database } = this.deps;
    let told = 0;
    const since = clock.now() - UNCONFIRMED_NOTICE_MS;
    const due = () => repos.posts.unconfirmedSince(since, UNCONFIRMED_NOTICE_STEP, 100);
    for (const { id } of due()) {
      database.immediate(() => {
        // Asked again in the write lock: it may have been settled, or told by another leader, since.
        const post = due().find((p) => p.id === id);
        if (!post) return;
        this.notices.postUnconfirmed(post);
        told++;
      });
    }
    return told;
  }

  /** Waits for publishes in flight, at most `timeoutMs` (shutdown). */
  async drain(timeoutMs: number): Promise<void> {
    const pending = [...this.inFlight.values()].map((f) => f.done);
    if (pending.length === 0) return;
    await Promise.race([Promise.allSettled(pending), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}
