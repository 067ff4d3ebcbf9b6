import { sleep } from './sleep.js';

/**
 * A requests-per-window budget: `acquire` waits until a request may start without more than
 * `limit` starts in any sliding window, and `blockFor` holds everyone back after a 429 until
 * the server's Retry-After has passed. One budget per process: only the leader generates.
 *
 * The window is kept a little longer than the server's (1/50th, at most 1 s): the server counts
 * arrivals, not our starts, and a request that took longer on the wire than the one a window
 * later would otherwise still be in its window and earn a 429.
 */
export class RequestBudget {
  private readonly starts: number[] = [];
  private blockedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly spanMs: number;

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<void> = sleep,
  ) {
    this.spanMs = windowMs + Math.min(1000, Math.ceil(windowMs / 50));
  }

  /** Resolves when this caller may send; callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  blockFor(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.starts.length && this.starts[0]! <= now - this.spanMs) this.starts.shift();
      const waitBlocked = this.blockedUntil - now;
      const waitWindow = this.starts.length >= this.limit ? this.starts[0]! + this.spanMs - now + 1 : 0;
      const wait = Math.max(waitBlocked, waitWindow, 0);
      if (wait === 0) {
        this.starts.push(now);
        return;
      }
      await this.wait(wait);
    }
  }
}
