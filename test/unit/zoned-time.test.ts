import { describe, expect, it } from 'vitest';
import { fromLocalInput, partsInZone, toLocalInput } from '../../src/lib/zoned-time.js';
import { startInstant } from '../../views/civil-date.js';

// The rule for wall-clock times the clocks skip or repeat (Temporal's "compatible"
// disambiguation, and what a JavaScript Date does with local times):
// - in a spring-forward gap the time moves forward by the length of the gap
//   (02:30 in a one-hour gap is 03:30 on the new offset);
// - in an autumn overlap the earlier of the two instants wins (the first 02:30).
// Transition dates are the zones' 2026 rules.
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const HOUR = 3_600_000;

interface Zone {
  zone: string;
  /** A wall time inside the spring gap, and the instant it becomes. */
  gap: [string, string];
  /** A wall time that happens twice in autumn, and its earlier instant. */
  overlap: [string, string];
  /** The later instant of the same wall time (reachable only from an instant). */
  overlapLater: string;
  /** The day the clocks go forward: its start, and the next day's start. */
  shortDay: [string, string, string];
  longDay: [string, string, string];
}

const ZONES: Zone[] = [
  {
    zone: 'Europe/Berlin',
    gap: ['2026-03-29T02:30', '2026-03-29T01:30:00.000Z'],
    overlap: ['2026-10-25T02:30', '2026-10-25T00:30:00.000Z'],
    overlapLater: '2026-10-25T01:30:00.000Z',
    shortDay: ['2026-03-29', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    longDay: ['2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
  },
  {
    zone: 'America/New_York',
    gap: ['2026-03-08T02:30', '2026-03-08T07:30:00.000Z'],
    overlap: ['2026-11-01T01:30', '2026-11-01T05:30:00.000Z'],
    overlapLater: '2026-11-01T06:30:00.000Z',
    shortDay: ['2026-03-08', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z'],
    longDay: ['2026-11-01', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z'],
  },
  {
    // Southern hemisphere: forward in October, back in April.
    zone: 'Australia/Sydney',
    gap: ['2026-10-04T02:30', '2026-10-03T16:30:00.000Z'],
    overlap: ['2026-04-05T02:30', '2026-04-04T15:30:00.000Z'],
    overlapLater: '2026-04-04T16:30:00.000Z',
    shortDay: ['2026-10-04', '2026-10-03T14:00:00.000Z', '2026-10-04T13:00:00.000Z'],
    longDay: ['2026-04-05', '2026-04-04T13:00:00.000Z', '2026-04-05T14:00:00.000Z'],
  },
  {
    // Chile changes at midnight: 2026-09-06 has no 00:00, and 23:xx on 2026-04-04 happens twice.
    zone: 'America/Santiago',
    gap: ['2026-09-06T00:30', '2026-09-06T04:30:00.000Z'],
    overlap: ['2026-04-04T23:30', '2026-04-05T02:30:00.000Z'],
    overlapLater: '2026-04-05T03:30:00.000Z',
    shortDay: ['2026-09-06', '2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z'],
    longDay: ['2026-04-04', '2026-04-04T03:00:00.000Z', '2026-04-05T04:00:00.000Z'],
  },
  {
    // A half-hour shift: the gap and the overlap are 30 minutes long.
    zone: 'Australia/Lord_Howe',
    gap: ['2026-10-04T02:15', '2026-10-03T15:45:00.000Z'],
    overlap: ['2026-04-05T01:45', '2026-04-04T14:45:00.000Z'],
    overlapLater: '2026-04-04T15:15:00.000Z',
    shortDay: ['2026-10-04', '2026-10-03T13:30:00.000Z', '2026-10-04T13:00:00.000Z'],
    longDay: ['2026-04-05', '2026-04-04T13:00:00.000Z', '2026-04-05T13:30:00.000Z'],
  },
];

describe.each(ZONES)('local time in $zone', ({ zone, gap, overlap, overlapLater, shortDay, longDay }) => {
  it('a wall time the clocks skip moves forward by the gap', () => {
    const ms = fromLocalInput(gap[0], zone);
    expect(iso(ms)).toBe(gap[1]);
    // Shown back, it is later than what was typed, never earlier (and never on another day).
    expect(toLocalInput(ms, zone) > gap[0]).toBe(true);
    expect(toLocalInput(ms, zone).slice(0, 10)).toBe(gap[0].slice(0, 10));
  });

  it('a wall time that happens twice means its earlier instant', () => {
    expect(iso(fromLocalInput(overlap[0], zone))).toBe(overlap[1]);
    // Both instants show as the same wall time.
    expect(toLocalInput(Date.parse(overlap[1]), zone)).toBe(overlap[0]);
    expect(toLocalInput(Date.parse(overlapLater), zone)).toBe(overlap[0]);
  });

  it('ordinary wall times round-trip around both transitions', () => {
    for (const [day] of [shortDay, longDay]) {
      const start = Date.parse(`${day}T00:00:00Z`) - 36 * HOUR;
      for (let ms = start; ms < start + 72 * HOUR; ms += 15 * 60_000) {
        const wall = toLocalInput(ms, zone);
        const back = fromLocalInput(wall, zone)!;
        // An instant in the later half of an overlap comes back as the earlier one.
        const same = back === ms || (back < ms && toLocalInput(back, zone) === wall);
        expect(same, `${zone} ${new Date(ms).toISOString()} → ${wall}`).toBe(true);
      }
    }
  });

  it('days begin at their first moment, and the transition days are an hour (or half) short and long', () => {
    for (const [day, start, next] of [shortDay, longDay]) {
      const [y, m, d] = day.split('-').map(Number) as [number, number, number];
      expect(iso(startInstant({ year: y, month: m, day: d }, zone))).toBe(start);
      const following = new Date(Date.UTC(y, m - 1, d + 1));
      const nextDay = {
        year: following.getUTCFullYear(),
        month: following.getUTCMonth() + 1,
        day: following.getUTCDate(),
      };
      expect(iso(startInstant(nextDay, zone))).toBe(next);
      expect(partsInZone(Date.parse(start), zone)).toMatchObject({ year: y, month: m, day: d });
      expect(partsInZone(Date.parse(start) - 1, zone).day).not.toBe(d);
    }
    expect(Date.parse(shortDay[2]) - Date.parse(shortDay[1])).toBeLessThan(24 * HOUR);
    expect(Date.parse(longDay[2]) - Date.parse(longDay[1])).toBeGreaterThan(24 * HOUR);
  });
});

describe('local time in a zone without daylight saving (Asia/Kolkata, +05:30)', () => {
  it('every wall time exists once, half an hour off the UTC hour', () => {
    expect(iso(fromLocalInput('2026-03-29T02:30', 'Asia/Kolkata'))).toBe('2026-03-28T21:00:00.000Z');
    expect(iso(fromLocalInput('2026-10-25T02:30', 'Asia/Kolkata'))).toBe('2026-10-24T21:00:00.000Z');
    expect(iso(startInstant({ year: 2026, month: 1, day: 1 }, 'Asia/Kolkata'))).toBe('2025-12-31T18:30:00.000Z');
    expect(toLocalInput(Date.parse('2026-06-30T18:29:00Z'), 'Asia/Kolkata')).toBe('2026-06-30T23:59');
    expect(toLocalInput(Date.parse('2026-06-30T18:30:00Z'), 'Asia/Kolkata')).toBe('2026-07-01T00:00');
  });
});

describe('wall times that are not times', () => {
  const notTimes = [
    '2026-02-30T10:00',
    '2026-13-01T10:00',
    '2026-06-01T24:00',
    '2026-06-01T10:60',
    '2026-06-01',
    '',
    'soon',
  ];
  it.each(notTimes)('%j is refused (null)', (value) => {
    expect(fromLocalInput(value, 'Europe/Berlin')).toBeNull();
  });
});
