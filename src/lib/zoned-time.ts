// Instants shown and entered as wall-clock times in an IANA zone (a client's zone).
import { Temporal } from 'temporal-polyfill';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, style: 'full' | 'date' | 'time' | 'day'): Intl.DateTimeFormat {
  const key = `${timeZone}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      style === 'full'
        ? {
            weekday: 'short',
            day: 'numeric',
            month: 'short',
            year: 'numeric',
            hour: '2-digit',
            minute: '2-digit',
            hourCycle: 'h23',
          }
        : style === 'date'
          ? { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }
          : style === 'day'
            ? { weekday: 'short', day: 'numeric', month: 'short' }
            : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
    formatters.set(key, f);
  }
  return f;
}

/** "Mon, 30 Nov 2026, 09:00" in the zone. */
export function formatInZone(ms: number, timeZone: string, style: 'full' | 'date' | 'time' | 'day' = 'full'): string {
  return formatter(timeZone, style).format(new Date(ms));
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock parts of an instant in a zone. */
export function partsInZone(
  ms: number,
  timeZone: string,
): { year: number; month: number; day: number; hour: number; minute: number; weekday: number } {
  // Building an Intl.DateTimeFormat costs far more than using one: keep one per zone.
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
      weekday: 'short',
    });
    partFormatters.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    weekday: weekdays.indexOf(get('weekday')),
  };
}

/** `YYYY-MM-DDTHH:mm` for a datetime-local input showing the instant in the zone. */
export function toLocalInput(ms: number | null, timeZone: string): string {
  if (ms === null) return '';
  const p = partsInZone(ms, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** `2026-12-01T09:00:00+01:00`: the instant as the zone's wall clock, with the zone's offset at that instant. */
export function isoInZone(ms: number, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(ms)
    .toZonedDateTimeISO(timeZone)
    .toString({ timeZoneName: 'never', smallestUnit: 'second' });
}

/**
 * The UTC instant of a wall-clock time in a zone (the inverse of toLocalInput), or null for a
 * value that is not a real date and time. Temporal's "compatible" rule, as a JavaScript Date
 * does with local times: a time the clocks skip (spring-forward gap) moves forward by the
 * length of the gap; a time that happens twice (autumn overlap) is its earlier instant.
 */
export function fromLocalInput(value: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [, year, month, day, hour, minute] = m.map(Number) as [number, number, number, number, number, number];
  try {
    const wall = Temporal.PlainDateTime.from({ year, month, day, hour, minute }, { overflow: 'reject' });
    return wall.toZonedDateTime(timeZone, { disambiguation: 'compatible' }).epochMilliseconds;
  } catch {
    return null;
  }
}

/**
 * The first instant after `ms` at which the wall clock in the zone shows `hour`:00 (a daily
 * digest). Computed from the calendar date, not by adding 24 hours, so it stays at that hour
 * across daylight-saving changes; an hour the clocks skip means the first instant after the jump.
 */
export function nextHourInZone(ms: number, timeZone: string, hour: number): number {
  const today = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone).toPlainDate();
  const at = (date: Temporal.PlainDate) =>
    date.toZonedDateTime({ timeZone, plainTime: new Temporal.PlainTime(hour) }).epochMilliseconds;
  const first = at(today);
  return first > ms ? first : at(today.add({ days: 1 }));
}

/** The calendar day (`YYYY-MM-DD`) an instant falls on in a zone. */
export function dayInZone(ms: number, timeZone: string): string {
  const p = partsInZone(ms, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** A calendar day `n` days after `day` (`YYYY-MM-DD`; negative `n` goes back). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
