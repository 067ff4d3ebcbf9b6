import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits `ms`, ending early when `signal` aborts. Node's own abortable timer (which removes its
 * abort listener with the timer, so a status poll that sleeps many times on one attempt's
 * signal does not pile listeners up); it rejects with an AbortError wrapping the reason, while
 * callers test for the signal's own reason (a TimeoutError from AbortSignal.timeout, say), so
 * that reason is what is thrown.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  }
}
