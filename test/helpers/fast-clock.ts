import type { Clock } from '../../src/lib/clock.js';

/**
 * Real time that jumps over every sleep: code that polls at production intervals until a
 * production deadline (minutes) gets there in a few event-loop turns. `skipped` says how much
 * time the sleeps covered.
 */
export class FastForwardClock implements Clock {
  skipped = 0;
  readonly sleeps: number[] = [];

  now(): number {
    return Date.now() + this.skipped;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.skipped += Math.max(0, ms);
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw signal.reason;
  }
}
