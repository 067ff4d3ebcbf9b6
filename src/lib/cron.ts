import { setImmediate as nextTurn } from 'node:timers/promises';
import { Cron } from 'croner';

// Rules use classic 5-field cron (minute precision). "no-wildcard" makes `0 9,17 * * 1-5` a
// fixed-time job, so across a daylight-saving change it behaves as Vixie cron users expect: a
// time skipped by the spring jump runs right after the jump, a repeated autumn hour runs once.
const RULE_OPTIONS = { mode: '5-part', fixedTimeRule: 'no-wildcard', paused: true } as const;

function build(expression: string, timezone: string): Cron {
  return new Cron(expression, { ...RULE_OPTIONS, timezone });
}

/**
 * The longest expression accepted. Every real schedule fits in a fraction of it; a longer one
 * (a list repeated thousands of times) only makes parsing and every later slot search slower.
 */
export const MAX_CRON_LENGTH = 200;

/** null when the expression is a valid 5-field cron, else a short reason for the form. */
export function cronProblem(expression: string): string | null {
  if (expression.length > MAX_CRON_LENGTH) return `is too long (at most ${MAX_CRON_LENGTH} characters)`;
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return 'must have 5 fields: minute hour day-of-month month day-of-week';
  try {
    const job = build(expression, 'UTC');
    if (!job.nextRun(new Date(0))) return 'never fires';
    return null;
  } catch (err) {
    return `is not valid: ${(err as Error).message.replace(/^CronPattern: /, '')}`;
  }
}

/** The next `count` slot instants strictly after `after`, computed in `timezone`. */
export function nextSlots(expression: string, timezone: string, count: number, after: Date): Date[] {
  return build(expression, timezone).nextRuns(count, after);
}

/** Slots computed between two turns of the event loop in slotsBetween. */
const SLOTS_PER_TURN = 25;

/**
 * Slot instants in (from, to], at most `max` of them. Each slot in a time zone costs a fraction of
 * a millisecond, so a rule firing every minute over weeks would hold the event loop for seconds;
 * the search gives way to other work every SLOTS_PER_TURN slots.
 */
export async function slotsBetween(
  expression: string,
  timezone: string,
  from: Date,
  to: Date,
  max = 1000,
): Promise<Date[]> {
  const job = build(expression, timezone);
  const out: Date[] = [];
  let cursor: Date | null = from;
  while (out.length < max) {
    if (out.length > 0 && out.length % SLOTS_PER_TURN === 0) await nextTurn();
    cursor = job.nextRun(cursor);
    if (!cursor || cursor.getTime() > to.getTime()) break;
    out.push(cursor);
  }
  return out;
}
