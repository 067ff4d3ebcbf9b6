// The project's daily YouTube Data API quota, counted by Herald before each call so a day's
// uploads stop with a plain refusal instead of Google's 403 quotaExceeded
// (docs/platforms/youtube.md#quota). Google's day resets at midnight Pacific time.
import type { NetworkStore } from '../network.js';
import { PlatformError } from '../types.js';

/** The day's count in the network's store (the settings table), so a restart does not forget it. */
const STORE_KEY = 'youtube.quota';

/** Costs per call (https://developers.google.com/youtube/v3/determine_quota_cost). */
export const YOUTUBE_COSTS = { list: 1, insert: 100 } as const;

/** Units per day a new project gets (https://developers.google.com/youtube/v3/getting-started#quota). */
export const DEFAULT_DAILY_QUOTA = 10_000;

const PACIFIC_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Los_Angeles',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Pacific calendar day of an instant, `YYYY-MM-DD`. */
export function pacificDay(at: number): string {
  return PACIFIC_DAY.format(new Date(at));
}

/** Today's use, shared by the connector and the publisher and kept in the store when there is one. */
export class YouTubeQuota {
  private day = '';
  private spent = 0;

  constructor(
    readonly daily: number,
    private readonly now: () => number,
    private readonly store: NetworkStore | null = null,
  ) {}

  /** Units used so far today (Pacific). */
  used(): number {
    this.roll();
    return this.spent;
  }

  /** Counts a call's cost, or refuses it when the day's quota would be exceeded. */
  spend(cost: number): void {
    this.roll();
    if (this.spent + cost > this.daily)
      throw new PlatformError(
        'rate_limited',
        `The YouTube quota of this Google Cloud project is used up for today (${this.spent.toLocaleString('en')} of ` +
          `${this.daily.toLocaleString('en')} units); it resets at midnight Pacific time.`,
        'quotaExceeded',
        { retryAfterMs: this.untilReset(), scope: 'platform' },
      );
    this.spent += cost;
    this.save();
  }

  /** Google refused for quota although Herald's count had room: the day is over for this project. */
  exhaust(): void {
    this.roll();
    this.spent = Math.max(this.spent, this.daily);
    this.save();
  }

  untilReset(): number {
    const now = this.now();
    const today = pacificDay(now);
    // Step by the hour until the Pacific day changes (DST makes a day 23 or 25 hours).
    let t = now;
    while (pacificDay(t) === today) t += 3_600_000;
    let lo = t - 3_600_000;
    while (t - lo > 60_000) {
      const mid = Math.floor((lo + t) / 2);
      if (pacificDay(mid) === today) lo = mid;
      else t = mid;
    }
    return t - now;
  }

  /** Today's count: the stored one (another process may have spent too), or 0 on a new Pacific day. */
  private roll(): void {
    const today = pacificDay(this.now());
    const stored = this.load();
    if (stored && stored.day === today) {
      this.spent = Math.max(stored.used, this.day === today ? this.spent : 0);
      this.day = today;
      return;
    }
    if (today !== this.day) {
      this.day = today;
      this.spent = 0;
    }
  }

  private load(): { day: string; used: number } | null {
    const raw = this.store?.get(STORE_KEY);
    if (!raw) return null;
    try {
      const v = JSON.parse(raw) as { day?: unknown; used?: unknown };
      return typeof v.day === 'string' && typeof v.used === 'number' ? { day: v.day, used: v.used } : null;
    } catch {
      return null;
    }
  }

  private save(): void {
    this.store?.put(STORE_KEY, JSON.stringify({ day: this.day, used: this.spent }));
  }
}
