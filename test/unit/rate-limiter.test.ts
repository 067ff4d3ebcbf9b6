import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { RateLimiter, RateLimitExceeded } from '../../src/lib/rate-limiter.js';

/** A limiter on virtual time: waiting advances the clock instead of sleeping. */
function virtualBudget(limit: number, windowMs: number, maxWaitMs?: number) {
  const clock = new ManualClock(0);
  const budget = new RateLimiter({ limit, windowMs, clock, ...(maxWaitMs === undefined ? {} : { maxWaitMs }) });
  return { budget, clock, at: () => clock.now(), advance: (ms: number) => clock.advance(ms) };
}

describe('RateLimiter', () => {
  it(
    'lets `limit` requests start at once, then holds the next one ' + 'until the first leaves the window plus a margin',
    async () => {
      const v = virtualBudget(3, 1000);
      const starts: number[] = [];
      for (let i = 0; i < 7; i++) {
        await v.budget.acquire();
        starts.push(v.at());
      }
      // The margin is 1/50th of the window: starts a window apart never meet in one server window.
      expect(starts).toEqual([0, 0, 0, 1021, 1021, 1021, 2042]);
      for (let i = 3; i < starts.length; i++) expect(starts[i]! - starts[i - 3]!).toBeGreaterThan(1000);
    },
  );

  it('caps the margin at one second on a 60 s window', async () => {
    const v = virtualBudget(1, 60_000);
    await v.budget.acquire();
    await v.budget.acquire();
    expect(v.at()).toBe(61_001);
  });

  it('after a 429 holds everyone back until Retry-After has passed, even with budget left', async () => {
    const v = virtualBudget(10, 60_000);
    await v.budget.acquire();
    v.budget.blockFor(5000);
    await v.budget.acquire();
    expect(v.at()).toBe(5000);
  });

  it('serves callers in order', async () => {
    const v = virtualBudget(1, 100);
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => v.budget.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2]);
  });

  it('keeps each key to its own window', async () => {
    const v = virtualBudget(1, 1000);
    await v.budget.acquire('a');
    await v.budget.acquire('b');
    expect(v.at()).toBe(0);
    await v.budget.acquire('a');
    expect(v.at()).toBe(1021);
  });

  it('refuses at once, saying how long, when the next slot is further than the caller may wait', async () => {
    const v = virtualBudget(2, 60_000, 5_000);
    await v.budget.acquire('t');
    await v.budget.acquire('t');
    const err = await v.budget.acquire('t').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitExceeded);
    expect((err as RateLimitExceeded).retryAfterMs).toBe(61_001);
    expect(v.at()).toBe(0);
    // Close to the end of the window, the wait is within the bound: a short wait, then the slot.
    v.advance(61_001 - 300);
    await v.budget.acquire('t');
    expect(v.at()).toBe(61_001);
  });

  it('an abort while waiting gives the slot back', async () => {
    const v = virtualBudget(1, 1000);
    await v.budget.acquire();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(v.budget.acquire('', controller.signal)).rejects.toThrow('stop');
    const waiting = new AbortController();
    const pending = v.budget.acquire('', waiting.signal);
    waiting.abort(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
    v.advance(1021 - v.at());
    await v.budget.acquire();
    // The aborted caller's slot was not kept: this one did not wait a second window.
    expect(v.at()).toBe(1021);
  });
});
