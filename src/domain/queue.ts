// An account's queue: weekly posting times in its client's zone, and the instants they fall on.
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';

/** The most posting times one account may have: ten a weekday is already more than any network likes. */
export const MAX_POSTING_TIMES = 50;

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

const postingTimeSchema = z
  .object({
    weekday: z
      .number({ message: 'must be a number from 1 (Monday) to 7 (Sunday)' })
      .int('must be a whole number from 1 (Monday) to 7 (Sunday)')
      .min(1, 'must be from 1 (Monday) to 7 (Sunday)')
      .max(7, 'must be from 1 (Monday) to 7 (Sunday)'),
    time: z
      .string({ message: 'must be a time as HH:MM' })
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM (00:00 to 23:59)'),
  })
  .strict();

export type PostingTime = z.output<typeof postingTimeSchema>;

/** A weekly list of posting times: `[{weekday: 1-7 (Monday 1), time: "HH:MM"}]`, each at most once. */
export const postingTimesSchema = z
  .array(postingTimeSchema, { message: 'must be a list of {weekday, time}' })
  .max(MAX_POSTING_TIMES, `at most ${MAX_POSTING_TIMES} posting times`)
  .superRefine((times, ctx) => {
    const seen = new Set<string>();
    times.forEach((t, i) => {
      const key = `${t.weekday} ${t.time}`;
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', path: [i], message: `lists ${WEEKDAY_NAMES[t.weekday - 1]} ${t.time} twice` });
      seen.add(key);
    });
  })
  .transform((times) => sortPostingTimes(times));

/** Weekday first (Monday first), then time of day: how pages list them. */
export function sortPostingTimes(times: readonly PostingTime[]): PostingTime[] {
  return [...times].sort((a, b) => a.weekday - b.weekday || a.time.localeCompare(b.time));
}

/**
 * The next `count` instants (UTC ms) strictly after `fromMs` at which one of the weekly posting
 * times falls in `timeZone`. Computed from calendar dates, never by adding 7 × 24 hours, so 09:00
 * stays 09:00 on the wall clock across daylight-saving changes. A time the clocks skip (spring
 * forward) falls that day at the same distance after the jump, as a time typed in the composer
 * does; a time that happens twice (autumn back) is used once, at its first instant. Two posting
 * times landing on one instant (02:30 and 03:30 on a spring-forward day) count once.
 */
export function nextPostingTimes(
  times: readonly PostingTime[],
  timeZone: string,
  fromMs: number,
  count: number,
): number[] {
  if (times.length === 0 || count <= 0) return [];
  const byWeekday = new Map<number, Temporal.PlainTime[]>();
  for (const t of sortPostingTimes(times)) {
    const list = byWeekday.get(t.weekday) ?? [];
    list.push(Temporal.PlainTime.from(t.time));
    byWeekday.set(t.weekday, list);
  }
  const out: number[] = [];
  // The day before `from` as well: an instant late on that local day may still be after `from`.
  let day = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(timeZone).toPlainDate().subtract({
    days: 1,
  });
  // Every weekday with a time is met within 7 days; the bound only guards against a bug looping.
  const maxDays = Math.ceil(count / times.length) * 7 + 14;
  for (let i = 0; i < maxDays && out.length < count; i++, day = day.add({ days: 1 })) {
    // Sorted again: on a spring-forward day 02:30 falls at 03:30, after a 03:00 of the same day.
    const instants = (byWeekday.get(day.dayOfWeek) ?? [])
      .map((plainTime) => day.toZonedDateTime({ timeZone, plainTime }).epochMilliseconds)
      .sort((a, b) => a - b);
    for (const ms of instants) {
      if (ms > fromMs && out[out.length - 1] !== ms) out.push(ms);
      if (out.length >= count) break;
    }
  }
  return out;
}
