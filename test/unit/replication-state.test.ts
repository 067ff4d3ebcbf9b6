import { describe, expect, it } from 'vitest';
import { ReplicationState } from '../../src/replication/replication-state.js';

describe('replication state', () => {
  it('measures lag from the oldest commit the replica lacks', () => {
    let now = 1_000_000;
    const s = new ReplicationState('file:///r', () => now, { failingAfterMs: 300_000 });
    s.setRunning(true);
    s.observe('aaaaaaaaaaaaaaaa', { index: 0, offset: 100 }, { index: 0, offset: 100 });
    expect(s.status()).toMatchObject({ lagMs: 0, lagBytes: 0, lastSyncAt: now });
    now += 500;
    s.observe('aaaaaaaaaaaaaaaa', { index: 0, offset: 300 }, { index: 0, offset: 100 });
    now += 700;
    s.observe('aaaaaaaaaaaaaaaa', { index: 1, offset: 50 }, { index: 0, offset: 100 });
    expect(s.status()).toMatchObject({ lagMs: 700, lagBytes: 50, replicaPosition: 'aaaaaaaaaaaaaaaa/00000000:100' });
    now += 300;
    s.observe('aaaaaaaaaaaaaaaa', { index: 1, offset: 50 }, { index: 1, offset: 50 });
    expect(s.status()).toMatchObject({ lagMs: 0, lastSyncAt: now, databasePosition: 'aaaaaaaaaaaaaaaa/00000001:50' });
  });

  it('tells a failure once after failingAfterMs; a recovery re-arms it', () => {
    let now = 0;
    const s = new ReplicationState('file:///r', () => now, { failingAfterMs: 300_000 });
    s.setRunning(true);
    const run = (until: number, error: boolean, progress = !error) => {
      const told: string[] = [];
      for (; now < until; now += 1000) {
        if (error) s.error('sync error: no space left on device');
        if (progress) s.observe('aaaaaaaaaaaaaaaa', { index: 0, offset: now }, { index: 0, offset: now });
        const change = s.tick();
        if (change) told.push(`${change}@${now}`);
      }
      return told;
    };
    expect(run(299_000, true)).toEqual([]);
    expect(run(310_000, true)).toEqual(['failing@300000']);
    expect(run(400_000, true)).toEqual([]);
    expect(s.status().failingSince).toBe(0);
    expect(run(410_000, false)).toEqual(['recovered@400000']);
    expect(s.status().failingSince).toBeNull();
    // A failure with progress in between (a busy moment) is not told; a later long one is, again.
    expect(run(420_000, true)).toEqual([]);
    expect(run(430_000, false)).toEqual([]);
    expect(run(800_000, true)).toEqual(['failing@730000']);
    expect(run(801_000, false)).toEqual(['recovered@800000']);
    // Errors while the replica keeps moving (a busy database under a burst) are lag, never told.
    expect(run(1_500_000, true, true)).toEqual([]);
  });
});
