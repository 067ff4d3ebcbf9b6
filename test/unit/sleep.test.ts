import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/lib/sleep.js';

describe('sleep', () => {
  it('waits, and leaves no abort listener behind on a long-lived signal', async () => {
    const controller = new AbortController();
    const started = performance.now();
    for (let i = 0; i < 20; i++) await sleep(1, controller.signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it("an abort ends it at once with the signal's own reason (a timeout stays a TimeoutError)", async () => {
    const started = performance.now();
    const err = await sleep(60_000, AbortSignal.timeout(20)).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((err as Error).name).toBe('TimeoutError');
    const controller = new AbortController();
    const reason = new Error('stopping');
    const waiting = sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(sleep(10, controller.signal)).rejects.toBe(reason);
  });
});
