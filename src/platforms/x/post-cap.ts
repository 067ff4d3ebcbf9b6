// The app's monthly post cap (docs/platforms/x.md#monthly-post-cap): X's Free tier allows a fixed
// number of posts a calendar month (UTC) for the whole app. Herald counts each post it creates in
// the settings table, refuses a post once the cap is reached, and shows the count on System.
import { PlatformError } from '../types.js';
import type { NetworkStore, UsageLine } from '../network.js';

function monthOf(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}

/** The first instant of the next UTC month, when the count starts again. */
export function nextMonth(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export class XPostCap {
  private readonly memory = new Map<string, string>();

  constructor(
    private readonly cap: number | null,
    /** Without a database (a bare test), the count lives in memory. */
    private readonly store: NetworkStore | undefined,
    private readonly now: () => number,
  ) {}

  private key(): string {
    return `posts:${monthOf(this.now())}`;
  }

  used(): number {
    const key = this.key();
    return Number(this.store ? this.store.get(key) : this.memory.get(key)) || 0;
  }

  /** Before a post: refused, until the month turns, once the cap is used up. */
  ensureRoom(): void {
    if (this.cap === null || this.used() < this.cap) return;
    throw new PlatformError(
      'rate_limited',
      `X’s monthly post cap for this app (${this.cap}) is used up; posting resumes on ` +
        `${new Date(nextMonth(this.now())).toISOString().slice(0, 10)}.`,
      'x:monthly_cap',
      { retryAfterMs: nextMonth(this.now()) - this.now(), scope: 'platform' },
    );
  }

  /** After X created a post (one of a thread counts as one). */
  count(): void {
    const value = String(this.used() + 1);
    if (this.store) this.store.put(this.key(), value);
    else this.memory.set(this.key(), value);
  }

  usage(): UsageLine[] {
    return [{ label: 'posts this month', used: this.used(), limit: this.cap, resetsAt: nextMonth(this.now()) }];
  }
}
