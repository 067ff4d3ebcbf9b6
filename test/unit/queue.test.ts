import { describe, expect, it } from 'vitest';
import { nextPostingTimes, postingTimesSchema } from '../../src/domain/queue.js';

const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());

describe('nextPostingTimes', () => {
  it('maps weekday 1 to Monday and 7 to Sunday, in order, strictly after from', () => {
    // Wed 2026-03-04 12:00 UTC; UTC zone so the wall clock is the instant.
    const from = Date.parse('2026-03-04T12:00:00Z');
    const times = [
      { weekday: 7, time: '10:00' },
      { weekday: 1, time: '09:00' },
      { weekday: 3, time: '12:00' }, // exactly `from`: not included
      { weekday: 3, time: '18:30' },
    ];
    expect(iso(nextPostingTimes(times, 'UTC', from, 5))).toEqual([
      '2026-03-04T18:30:00.000Z',
      '2026-03-08T10:00:00.000Z', // Sunday
      '2026-03-09T09:00:00.000Z', // Monday
      '2026-03-11T12:00:00.000Z',
      '2026-03-11T18:30:00.000Z',
    ]);
  });

  it('keeps the wall-clock time across the spring and autumn changes in Europe/Berlin', () => {
    // Daily 09:00; clocks go forward on Sun 29 Mar 2026, back on Sun 25 Oct 2026.
    const daily = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, time: '09:00' }));
    expect(iso(nextPostingTimes(daily, 'Europe/Berlin', Date.parse('2026-03-27T12:00:00Z'), 3))).toEqual([
      '2026-03-28T08:00:00.000Z', // CET (+01:00)
      '2026-03-29T07:00:00.000Z', // CEST (+02:00)
      '2026-03-30T07:00:00.000Z',
    ]);
    expect(iso(nextPostingTimes(daily, 'Europe/Berlin', Date.parse('2026-10-24T12:00:00Z'), 2))).toEqual([
      '2026-10-25T08:00:00.000Z', // back to CET
      '2026-10-26T08:00:00.000Z',
    ]);
  });

  it('moves a skipped time past the jump and uses a repeated time once (America/New_York)', () => {
    // Sun 8 Mar 2026: 02:00 EST → 03:00 EDT. Sun 1 Nov 2026: 02:00 EDT → 01:00 EST.
    const sunday = [
      { weekday: 7, time: '01:30' },
      { weekday: 7, time: '02:30' },
      { weekday: 7, time: '03:30' },
    ];
    expect(iso(nextPostingTimes(sunday, 'America/New_York', Date.parse('2026-03-07T12:00:00Z'), 3))).toEqual([
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:30:00.000Z', // 02:30 does not exist: 03:30 EDT, once for both 02:30 and 03:30
      '2026-03-15T05:30:00.000Z', // next Sunday 01:30 EDT
    ]);
    expect(iso(nextPostingTimes(sunday, 'America/New_York', Date.parse('2026-10-31T12:00:00Z'), 3))).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 happens twice: the first (EDT) only
      '2026-11-01T07:30:00.000Z', // 02:30 EST
      '2026-11-01T08:30:00.000Z', // 03:30 EST
    ]);
  });

  it('reads the weekday in the zone, not in UTC', () => {
    // Mon 23:30 in New York is Tue 04:30 UTC.
    const at = nextPostingTimes(
      [{ weekday: 1, time: '23:30' }],
      'America/New_York',
      Date.parse('2026-06-01T00:00Z'),
      1,
    );
    expect(iso(at)).toEqual(['2026-06-02T03:30:00.000Z']);
  });

  it('gives nothing without posting times', () => {
    expect(nextPostingTimes([], 'Europe/Berlin', Date.now(), 5)).toEqual([]);
  });
});

describe('postingTimesSchema', () => {
  it('accepts a list and sorts it by weekday then time', () => {
    expect(
      postingTimesSchema.parse([
        { weekday: 3, time: '08:00' },
        { weekday: 1, time: '17:45' },
        { weekday: 1, time: '09:00' },
      ]),
    ).toEqual([
      { weekday: 1, time: '09:00' },
      { weekday: 1, time: '17:45' },
      { weekday: 3, time: '08:00' },
    ]);
  });

  it.each([
    [[{ weekday: 0, time: '09:00' }], '0.weekday'],
    [[{ weekday: 8, time: '09:00' }], '0.weekday'],
    [[{ weekday: 1.5, time: '09:00' }], '0.weekday'],
    [[{ weekday: 1, time: '24:00' }], '0.time'],
    [[{ weekday: 1, time: '9:00' }], '0.time'],
    [[{ weekday: 1, time: '09:00', extra: 1 }], '0'],
    [
      [
        { weekday: 2, time: '09:00' },
        { weekday: 2, time: '09:00' },
      ],
      '1',
    ],
    [
      Array.from({ length: 51 }, (_, i) => ({
        weekday: (i % 7) + 1,
        time: `${String(i % 24).padStart(2, '0')}:0${i % 10}`,
      })),
      '',
    ],
    ['09:00', ''],
  ])('refuses %j (%s)', (input, path) => {
    const result = postingTimesSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
