// Networks that give an account's totals only as they stand now (TikTok's follower_count, Threads'
// followers_count, a LinkedIn Page's follower count) have no history: the number belongs to the day
// it was read on, never to earlier days (docs/results.md).
import { dayInZone } from '../lib/zoned-time.js';

/**
 * Which of `days` a total read at `now` is stamped on: today in the zone, or yesterday when the
 * collection asks only up to yesterday (a count read just after a day ended stands for its end).
 * null when neither is asked for: writing today's total into older days would fake a flat history.
 */
export function dayForCurrentTotals(days: readonly string[], now: number, timeZone: string): string | null {
  const today = dayInZone(now, timeZone);
  if (days.includes(today)) return today;
  const yesterday = dayInZone(now - 24 * 3600_000, timeZone);
  return days.at(-1) === yesterday ? yesterday : null;
}
