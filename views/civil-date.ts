// Calendar dates (no time, no zone) and the instants where they start in a given zone.
import { fromLocalInput, partsInZone } from './format.js';

export interface CivilDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function civilToString(d: CivilDate): string {
  return `${d.year}-${pad(d.month)}-${pad(d.day)}`;
}

export function parseCivil(value: string | undefined | null): CivilDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? '');
  if (!m) return null;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const check = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return check.getUTCMonth() === d.month - 1 && check.getUTCDate() === d.day ? d : null;
}

export function addDays(d: CivilDate, days: number): CivilDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(d: CivilDate): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

/** The Monday on or before `d`. */
export function startOfWeek(d: CivilDate): CivilDate {
  return addDays(d, -((weekday(d) + 6) % 7));
}

/** The calendar day an instant falls on in the zone (today, for `now`). */
export function dayOf(ms: number, tz: string): CivilDate {
  const p = partsInZone(ms, tz);
  return { year: p.year, month: p.month, day: p.day };
}

/** The instant a calendar day begins in the zone (midnight, or the first moment after a gap). */
export function startInstant(d: CivilDate, tz: string): number {
  return fromLocalInput(`${civilToString(d)}T00:00`, tz) as number;
}

export function sameDay(a: CivilDate, b: CivilDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}
