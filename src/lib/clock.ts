import { sleep } from './sleep.js';

/**
 * The one source of "now", and of waiting. Services, jobs, the lease and the platform code read
 * time and wait only through a Clock, so tests can move time (grace periods, backoff, lease
 * expiry, status polls, rate windows) without sleeping. Whatever a Clock's `sleep(ms)` does, its
 * `now()` has moved on by at least `ms` when the promise resolves: a deadline computed from
 * `now()` and reached through `sleep` therefore always arrives.
 */
export interface Clock {
  now(): number;
  /** Waits `ms` of this clock's time; rejects with the signal's reason when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep };

/**
 * A clock tests can set and advance; it never moves on its own. `sleep` advances it by the
 * time asked for and resolves on the next turn of the event loop, so code that waits for a
 * deadline gets there at once.
 */
export class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  set(ms: number | Date): void {
    this.ms = typeof ms === 'number' ? ms : ms.getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.ms += Math.max(0, ms);
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw signal.reason;
  }
}
