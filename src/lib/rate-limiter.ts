import { systemClock, type Clock } from './clock.js';

/** Thrown by `acquire` when the next free slot is further away than the caller may wait. */
export class RateLimitExceeded extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`no request slot for ${retryAfterMs} ms`);
    this.name = 'RateLimitExceeded';
  }
}

export interface RateLimiterOptions {
  /** Starts allowed in any sliding window, per key. */
  readonly limit: number;
  readonly windowMs?: number;
  /** How long a caller may wait for a slot before RateLimitExceeded; unbounded by default. */
  readonly maxWaitMs?: number;
  readonly clock?: Clock;
}

/** Gives a reservation back (unless the window already let go of it). */
function release(starts: number[], at: number): void {
  const i = starts.lastIndexOf(at);
  if (i >= 0) starts.splice(i, 1);
}

interface KeyState {
  /** Start times handed out, oldest first; the latest may lie in the future (reserved). */
  readonly starts: number[];
  blockedUntil: number;
}

/**
 * Requests per sliding window, per key (an access token's hash, say): `acquire` reserves the
 * earliest start that keeps at most `limit` starts in any window, and resolves then; callers
 * are served in the order they asked. `blockFor` holds a key back after a 429 until the
 * server's Retry-After has passed.
 *
 * The window is kept a little longer than the server's (1/50th, at most 1 s): the server counts
 * arrivals, not our starts, and a request that took longer on the wire than the one a window
 * later would otherwise still be in its window and earn a 429.
 */
export class RateLimiter {
  private readonly keys = new Map<string, KeyState>();
  private readonly spanMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: RateLimiterOptions) {
    const windowMs = options.windowMs ?? 60_000;
    this.spanMs = windowMs + Math.min(1000, Math.ceil(windowMs / 50));
    this.clock = options.clock ?? systemClock;
  }

  async acquire(key = '', signal?: AbortSignal): Promise<void> {
    const deadline = this.clock.now() + (this.options.maxWaitMs ?? Infinity);
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const now = this.clock.now();
      const state = this.state(key, now);
      const { starts } = state;
      const { limit } = this.options;
      let at = Math.max(now, state.blockedUntil);
      if (starts.length >= limit) at = Math.max(at, starts[starts.length - limit]! + this.spanMs + 1);
      // A free slot is never refused, however little time the caller had to wait.
      if (at > now && at > deadline) throw new RateLimitExceeded(at - now);
      // Kept in order: a caller queueing again after a block may land before later reservations.
      let i = starts.length;
      while (i > 0 && starts[i - 1]! > at) i--;
      starts.splice(i, 0, at);
      try {
        while (this.clock.now() < at) await this.clock.sleep(at - this.clock.now(), signal);
      } catch (err) {
        release(starts, at);
        throw err;
      }
      if (state.blockedUntil <= this.clock.now()) return;
      // A 429 came in while this caller waited: give the slot back and queue again behind the block.
      release(starts, at);
    }
  }

  blockFor(ms: number, key = ''): void {
    const state = this.state(key, this.clock.now());
    state.blockedUntil = Math.max(state.blockedUntil, this.clock.now() + ms);
  }

  private state(key: string, now: number): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      // Forget keys (refreshed or disconnected tokens) that have been idle for a window.
      if (this.keys.size >= 256) {
        for (const [k, s] of this.keys) {
          if ((s.starts.at(-1) ?? 0) <= now - this.spanMs && s.blockedUntil <= now) this.keys.delete(k);
        }
      }
      state = { starts: [], blockedUntil: 0 };
      this.keys.set(key, state);
    }
    while (state.starts.length && state.starts[0]! <= now - this.spanMs) state.starts.shift();
    return state;
  }
}
