import { describe, expect, it } from 'vitest';
import { RequestBudget } from '../../src/lib/rate-budget.js';

/** A budget on virtual time: `wait` advances the clock instead of sleeping. */
function virtualBudget(limit: number, windowMs: number) {
  let now = 0;
  const waits: number[] = [];
  const budget = new RequestBudget(limit, windowMs, () => now, async (ms) => {
    waits.push(ms);
    now += ms;
  });
  return { budget, waits, at: () => now, advance: (ms: number) => (now += ms) };
}

describe('RequestBudget', () => {
  it('lets `limit` requests start at once, then holds the next one until the first leaves the window plus a margin', async () => {
    const v = virtualBudget(3, 1000);
    const starts: number[] = [];
    for (let i = 0; i < 7; i++) {
      await v.budget.acquire();
      starts.push(v.at());
    }
    // The margin is 1/50th of the window: starts a window apart never meet in one server window.
    expect(starts).toEqual([0, 0, 0, 1021, 1021, 1021, 2042]);
    for (let i = 3; i < starts.length; i++) expect(starts[i]! - starts[i - 3]!).toBeGreaterThan(1000);
  });

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
});
