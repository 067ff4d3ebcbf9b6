/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"): a random wait in [0, min(cap, base·2^(attempt-1))], never shorter than what the
 * server asked for with Retry-After. `random` is injectable so tests can pin it.
 */
export function backoffMs(
  attempt: number,
  options: { baseMs: number; capMs: number; retryAfterMs?: number | undefined; random?: () => number },
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor((options.random ?? Math.random)() * ceiling);
  return Math.max(jittered, options.retryAfterMs ?? 0);
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date
 * (https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3).
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
