// Pure formatting helpers for views: instants shown in a client's zone, sizes, relative times.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, style: 'full' | 'date' | 'time' | 'day'): Intl.DateTimeFormat {
  const key = `${timeZone}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      style === 'full'
        ? { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
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
export function partsInZone(ms: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; weekday: number } {
  // Building an Intl.DateTimeFormat costs far more than using one: keep one per zone.
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23', weekday: 'short' });
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

/**
 * The UTC instant of a wall-clock time in a zone (the inverse of toLocalInput). In a spring-
 * forward gap it moves forward by the gap; in an autumn overlap it picks the first occurrence.
 */
export function fromLocalInput(value: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const wanted = Date.UTC(y, mo - 1, d, h, mi);
  // Guess with the zone's offset at the naive instant, then correct once for a changed offset.
  let guess = wanted - offsetMs(wanted, timeZone);
  guess = wanted - offsetMs(guess, timeZone);
  const earlier = guess - 3_600_000;
  if (toLocalInput(earlier, timeZone) === value.trim()) return earlier;
  return guess;
}

function offsetMs(at: number, timeZone: string): number {
  const p = partsInZone(at, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - Math.floor(at / 60_000) * 60_000;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** "in 3 h", "5 min ago". */
export function relative(ms: number, now: number): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  const unit = abs < 90_000 ? [Math.round(abs / 1000), 's'] : abs < 5_400_000 ? [Math.round(abs / 60_000), 'min'] : abs < 172_800_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'days'];
  return diff >= 0 ? `in ${unit[0]} ${unit[1]}` : `${unit[0]} ${unit[1]} ago`;
}

export function humanStatus(status: string): string {
  return status.replace(/_/g, ' ');
}
