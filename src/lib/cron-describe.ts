import { MAX_CRON_LENGTH } from './cron.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function expand(field: string, min: number, max: number): number[] | null {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < min || to > max || from > to) return null;
    for (let i = from; i <= to; i++) out.add(i === 7 && max === 7 ? 0 : i);
  }
  return [...out].sort((a, b) => a - b);
}

/** Parsed weekly schedule (the shape the weekly picker writes), or null for anything else. */
export function weeklyParts(expression: string): { minute: number; hours: number[]; days: number[] } | null {
  // A weekly schedule is short; anything long is shown as typed rather than expanded.
  if (expression.length > MAX_CRON_LENGTH) return null;
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  if (dom !== '*' || month !== '*' || !/^\d+$/.test(minute)) return null;
  const hours = expand(hour, 0, 23);
  const days = dow === '*' ? [0, 1, 2, 3, 4, 5, 6] : expand(dow, 0, 7);
  if (!hours || !days || Number(minute) > 59) return null;
  return { minute: Number(minute), hours, days };
}

/** The cron expression for a weekly picker choice; a day or hour sent twice counts once. */
export function weeklyCron(minute: number, hours: readonly number[], days: readonly number[]): string {
  const unique = (list: readonly number[]) => [...new Set(list)].sort((a, b) => a - b);
  const d = unique(days).length === 7 || days.length === 0 ? '*' : unique(days).join(',');
  return `${minute} ${unique(hours).join(',')} * * ${d}`;
}

/** "Mon, Wed, Fri at 09:00 and 17:00" for weekly schedules; the expression itself otherwise. */
export function describeCron(expression: string): string {
  const parts = weeklyParts(expression);
  if (!parts || parts.hours.length === 0) return expression;
  const times = parts.hours.map((h) => `${String(h).padStart(2, '0')}:${String(parts.minute).padStart(2, '0')}`);
  const timeText = times.length > 1 ? `${times.slice(0, -1).join(', ')} and ${times[times.length - 1]}` : times[0];
  const dayText =
    parts.days.length === 7
      ? 'Every day'
      : parts.days.join() === '1,2,3,4,5'
        ? 'Weekdays'
        : parts.days.join() === '0,6'
          ? 'Weekends'
          : parts.days.map((d) => DAYS[d]).join(', ');
  return `${dayText} at ${timeText}`;
}
