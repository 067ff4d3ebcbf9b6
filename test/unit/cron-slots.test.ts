import { describe, expect, it } from 'vitest';
import { cronProblem, nextSlots, slotsBetween } from '../../src/lib/cron.js';

const iso = (d: Date[]) => d.map((x) => x.toISOString());

describe('rule slots', () => {
  it('validates 5-field expressions', () => {
    expect(cronProblem('0 9 * * 1-5')).toBeNull();
    expect(cronProblem('0 9 * *')).toMatch(/5 fields/);
    expect(cronProblem('61 9 * * *')).toMatch(/minute/);
    expect(cronProblem('0 0 31 2 *')).toMatch(/never fires/);
  });

  it('computes slots in the zone, across the Berlin spring-forward gap', () => {
    // 2026-03-29 02:00 CET jumps to 03:00 CEST; a 02:30 slot runs right after the jump.
    expect(iso(nextSlots('30 2 * * *', 'Europe/Berlin', 3, new Date('2026-03-27T12:00:00Z')))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });

  it('runs once in the repeated autumn hour', () => {
    expect(iso(nextSlots('30 2 * * *', 'Europe/Berlin', 3, new Date('2026-10-23T12:00:00Z')))).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('keeps New York working hours across its DST change', () => {
    expect(iso(nextSlots('0 9 * * 1-5', 'America/New_York', 3, new Date('2026-03-06T15:00:00Z')))).toEqual([
      '2026-03-09T13:00:00.000Z',
      '2026-03-10T13:00:00.000Z',
      '2026-03-11T13:00:00.000Z',
    ]);
  });

  it('lists slots inside a window', async () => {
    const [from, to] = [new Date('2026-01-01T00:00:00Z'), new Date('2026-01-04T00:00:00Z')];
    const slots = await slotsBetween('0 9 * * *', 'UTC', from, to);
    expect(slots).toHaveLength(3);
  });

  it('lists 5,000 every-minute slots in a zone without holding the event loop', async () => {
    // Each slot in a zone costs a fraction of a millisecond; 5,000 at once held the loop for
    // seconds. Other work must get a turn throughout: the most CPU time spent between two timer
    // ticks counts (CPU time, not wall time, so a busy machine pausing this process does not).
    const cpu = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
    let last = cpu();
    let longest = 0;
    const tick = setInterval(() => {
      const now = cpu();
      longest = Math.max(longest, now - last);
      last = now;
    }, 1);
    const from = new Date('2026-03-01T00:00:00Z');
    const to = new Date(from.getTime() + 30 * 86_400_000);
    const slots = await slotsBetween('* * * * *', 'Europe/Berlin', from, to, 5000);
    clearInterval(tick);
    longest = Math.max(longest, cpu() - last);
    expect(slots).toHaveLength(5000);
    expect(longest, 'most CPU ms between two turns').toBeLessThan(100);
  });
});
