// Best posting times from a client's own results, shrunk towards a prior so that one lucky post
// at 3 a.m. does not become "the best time" (docs/results.md#best-times).

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
}

/**
 * How many posts' worth of weight the prior carries: a slot needs about this many posts of its
 * own before its own mean counts as much as the client's overall mean.
 */
export const PRIOR_WEIGHT = 3;

/**
 * Ranks the week's hours by engagement rate, each slot's mean shrunk towards the client's overall
 * mean (`prior`, or the mean of the results). Slots without posts of their own are not ranked:
 * the evidence is the point. Best first; ties keep the earlier slot in the week.
 */
export function bestTimes(
  results: readonly TimedResult[],
  options: { limit?: number; prior?: number } = {},
): BestTime[] {
  if (results.length === 0) return [];
  const prior = options.prior ?? results.reduce((sum, r) => sum + r.rate, 0) / results.length;
  const slots = new Map<number, { weekday: number; hour: number; sum: number; n: number }>();
  for (const r of results) {
    const key = r.weekday * 24 + r.hour;
    const slot = slots.get(key) ?? { weekday: r.weekday, hour: r.hour, sum: 0, n: 0 };
    slot.sum += r.rate;
    slot.n += 1;
    slots.set(key, slot);
  }
  return [...slots.values()]
    .map((s) => ({
      weekday: s.weekday,
      hour: s.hour,
      score: (s.sum + prior * PRIOR_WEIGHT) / (s.n + PRIOR_WEIGHT),
      posts: s.n,
    }))
    .sort((a, b) => b.score - a.score || a.weekday * 24 + a.hour - (b.weekday * 24 + b.hour))
    .slice(0, options.limit ?? 5);
}
