// Evergreen posts: a published post brought back every few weeks as a copy, until it has come back
// `times` times or `until` has passed (docs/planning.md#evergreen).
import { z } from 'zod';

export const WEEK_MS = 7 * 86_400_000;

/** `{everyWeeks 1-52, times?, until?, rewrite?}`, or null to stop. */
export const evergreenSchema = z
  .object({
    everyWeeks: z
      .number({ message: 'must be a number of weeks from 1 to 52' })
      .int('must be a whole number of weeks')
      .min(1, 'must be at least 1 week')
      .max(52, 'must be at most 52 weeks'),
    times: z
      .number({ message: 'must be a number of copies' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(100, 'must be at most 100')
      .nullable()
      .optional(),
    until: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}/, 'must be a date, YYYY-MM-DD')
      .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a real date')
      .nullable()
      .optional(),
    rewrite: z.boolean({ message: 'must be true or false' }).optional(),
  })
  .strict()
  .nullable();

export type Evergreen = NonNullable<z.output<typeof evergreenSchema>>;

/** The last instant a copy may be made for: the end of `until` (a date means the whole day, in UTC). */
export function untilMs(until: string | null | undefined): number | null {
  if (!until) return null;
  return /^\d{4}-\d{2}-\d{2}$/.test(until) ? Date.parse(`${until}T23:59:59.999Z`) : Date.parse(until);
}

/** "every 8 weeks, 3 times at most, until 2027-06-30". */
export function describeEvergreen(e: Evergreen): string {
  const parts = [`every ${e.everyWeeks} week${e.everyWeeks === 1 ? '' : 's'}`];
  if (e.times) parts.push(`${e.times} time${e.times === 1 ? '' : 's'} at most`);
  if (e.until) parts.push(`until ${e.until.slice(0, 10)}`);
  if (e.rewrite) parts.push('lightly rewritten by the AI');
  return parts.join(', ');
}
