// Best posting times from a client's own results, shrunk towards a prior so that one lucky post
// at 3 a.m. does not become "the best time", and so that hours the client never tried still have
// a chance against the hours its rules happened to use (docs/results.md#learning).

/** One published post's place in the week (ISO weekday 1 = Monday … 7, hour 0–23 in the client's zone) and rate. */
export interface TimedResult {
  readonly weekday: number;
  readonly hour: number;
  /** Engagement rate (engagements per reach or view). */
  readonly rate: number;
}

export interface BestTime {
  readonly weekday: number;
  readonly hour: number;
  /** The shrunk mean engagement rate of the slot, comparable across slots. */
  readonly score: number;
  /** How many posts the score rests on. */
  readonly posts: number;
  /** The slot's own mean rate (null: no posts of its own, the score is the prior's). */
  readonly rate?: number | null;
}

/**
 * How many posts' worth of weight the prior carries: a slot needs about this many posts of its
 * own before its own mean counts as much as the prior.
 */
export const PRIOR_WEIGHT = 3;

/** A slot's expected lift over the account's average (1 = average), before any evidence of its own. */
export type HourPrior = (weekday: number, hour: number) => number;

/**
 * The general shape of when audiences engage, used until a client's own posts say otherwise. It is
 * deliberately mild (0.6–1.25): working-day mornings and early evenings a little ahead, nights well
 * behind, weekends in between. Business networks (LinkedIn) lean to working days; short-video and
 * photo networks (TikTok, Instagram, YouTube) to evenings. An assumption, not a measurement: it
 * only breaks ties while a slot has few posts of its own.
 */
export function generalPrior(platform: string | null = null): HourPrior {
  const business = platform === 'linkedin';
  const evening = platform === 'tiktok' || platform === 'instagram' || platform === 'youtube';
  return (weekday, hour) => {
    let lift = 1;
    if (hour < 6) lift = 0.6;
    else if (hour < 8 || hour >= 22) lift = 0.8;
    else if (hour >= 9 && hour <= 11) lift = evening ? 1.05 : 1.2;
    else if (hour >= 17 && hour <= 20) lift = evening ? 1.25 : 1.15;
    const weekend = weekday >= 6;
    if (weekend) lift *= business ? 0.7 : 0.95;
    return lift;
  };
}

/**
 * Ranks the week's hours by engagement rate. Each post's rate is taken relative to the mean of all
 * the results (so accounts on networks with different norms can be pooled by the caller), each
 * slot's mean lift is shrunk towards the prior's lift with PRIOR_WEIGHT posts' worth of weight,
 * and the score is that lift times the overall mean (a rate again). Without a `prior` every slot's
 * prior lift is 1 and only slots with posts are ranked; with one, every hour of the week is ranked
 * and untried hours score what the prior expects. Best first; ties keep the earlier slot in the week.
 */
export function bestTimes(
  results: readonly TimedResult[],
  options: { limit?: number; prior?: HourPrior; mean?: number } = {},
): BestTime[] {
  const mean = options.mean ?? (results.length ? results.reduce((sum, r) => sum + r.rate, 0) / results.length : 0);
  if (results.length === 0 && !options.prior) return [];
  const slots = new Map<number, { weekday: number; hour: number; sum: number; n: number }>();
  if (options.prior)
    for (let weekday = 1; weekday <= 7; weekday++)
      for (let hour = 0; hour < 24; hour++) slots.set(weekday * 24 + hour, { weekday, hour, sum: 0, n: 0 });
  for (const r of results) {
    const key = r.weekday * 24 + r.hour;
    const slot = slots.get(key) ?? { weekday: r.weekday, hour: r.hour, sum: 0, n: 0 };
    slot.sum += r.rate;
    slot.n += 1;
    slots.set(key, slot);
  }
  // With no rate to scale by (no results yet), the score is the prior's lift itself.
  const scale = mean > 0 ? mean : 1;
  return [...slots.values()]
    .map((s) => {
      const priorLift = options.prior ? options.prior(s.weekday, s.hour) : 1;
      const lift = (s.sum / scale + priorLift * PRIOR_WEIGHT) / (s.n + PRIOR_WEIGHT);
      return { weekday: s.weekday, hour: s.hour, score: lift * scale, posts: s.n, rate: s.n ? s.sum / s.n : null };
    })
    .sort((a, b) => b.score - a.score || a.weekday * 24 + a.hour - (b.weekday * 24 + b.hour))
    .slice(0, options.limit ?? 5);
}

/** A weekly schedule: cron-style days (0 = Sunday … 6) crossed with hours. */
export interface WeeklySchedule {
  readonly days: number[];
  readonly hours: number[];
}

/**
 * The weekly schedule with about `perWeek` slots whose slots score best. A cron expression is days
 * × hours, so the choice is a cross product: one hour for up to 7 posts a week, two for up to 14,
 * three beyond; the hours are those whose best days score highest, then the days that score highest
 * at those hours. `ranked` must rank every hour of the week (bestTimes with a prior).
 */
export function suggestSchedule(ranked: readonly BestTime[], perWeek: number): WeeklySchedule {
  const want = Math.max(1, Math.min(21, Math.round(perWeek)));
  const hourCount = want <= 7 ? 1 : want <= 14 ? 2 : 3;
  const dayCount = Math.min(7, Math.ceil(want / hourCount));
  const score = new Map(ranked.map((t) => [t.weekday * 24 + t.hour, t.score]));
  const at = (weekday: number, hour: number) => score.get(weekday * 24 + hour) ?? 0;
  const hourValue = (hour: number) =>
    [1, 2, 3, 4, 5, 6, 7]
      .map((d) => at(d, hour))
      .sort((a, b) => b - a)
      .slice(0, dayCount)
      .reduce((a, b) => a + b, 0);
  const hours = Array.from({ length: 24 }, (_, h) => h)
    .sort((a, b) => hourValue(b) - hourValue(a) || a - b)
    .slice(0, hourCount);
  const dayValue = (weekday: number) => hours.reduce((sum, h) => sum + at(weekday, h), 0);
  const days = [1, 2, 3, 4, 5, 6, 7]
    .sort((a, b) => dayValue(b) - dayValue(a) || a - b)
    .slice(0, dayCount)
    .map((d) => d % 7);
  return { days: days.sort((a, b) => a - b), hours: hours.sort((a, b) => a - b) };
}
