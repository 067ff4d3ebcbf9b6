import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.js';
import { engineHarness, type EngineHarness } from '../helpers/engine-harness.js';
import { makeHerald, seedClient } from '../helpers/herald.js';
import { FakePlatform } from '../fakes/fake-platform.js';
import { TestPublisher } from '../helpers/test-publisher.js';

let h: EngineHarness;
afterEach(async () => h?.close());

const MIN = 60_000;

describe('missed posts and the grace period', () => {
  it('after downtime: less than the grace late goes out at once, more is marked missed', async () => {
    h = await engineHarness({ MISSED_GRACE_MINUTES: '60' });
    const soon = h.schedule('due in 5 minutes', 5 * MIN);
    const later = h.schedule('due in 130 minutes', 130 * MIN);
    // Herald is down for almost three hours.
    h.advance(170 * MIN);
    expect(h.t.herald.engine.hasWork()).toBe(true);
    const first = await h.round();
    expect(first.missed).toBe(1);
    expect(h.status(soon)).toBe('missed');
    expect(h.t.herald.services.posts.get(soon).lastError).toMatch(/more than 60 minutes ago/);
    // 40 minutes late is within the hour: it goes out at once.
    expect(h.status(later)).toBe('published');
    // A missed post waits for a person: retry (with a new time) sends it.
    h.t.herald.services.posts.act(soon, 'retry', { kind: 'system' });
    await h.round();
    expect(h.status(soon)).toBe('published');
    expect(h.platform.duplicates()).toEqual([]);
  });

  it('never a flood of stale posts: a backlog of old posts is marked missed, not sent', async () => {
    h = await engineHarness({ MISSED_GRACE_MINUTES: '60' });
    const stale = Array.from({ length: 20 }, (_, i) => h.schedule(`stale ${i}`, i * MIN));
    h.advance(24 * 60 * MIN);
    await h.round();
    expect(stale.map((id) => h.status(id)).every((s) => s === 'missed')).toBe(true);
    expect(h.platform.posts).toHaveLength(0);
  });

  it('a post still awaiting approval at its time is not published; it is missed', async () => {
    h = await engineHarness();
    const post = h.t.herald.services.posts.create(
      {
        accountId: h.seeded.facebook.id,
        caption: 'needs a yes',
        scheduledAt: new Date(h.clock.now() + 10 * MIN).toISOString(),
      },
      { kind: 'system' },
    );
    h.t.herald.services.posts.act(post.id, 'submit', { kind: 'system' });
    h.advance(11 * MIN);
    expect(h.t.herald.engine.hasWork()).toBe(true);
    await h.round();
    expect(h.status(post.id)).toBe('missed');
    expect(h.t.herald.services.posts.get(post.id).lastError).toMatch(/not approved by its time/);
    expect(h.platform.posts).toHaveLength(0);
  });
});

describe('edits against the engine', () => {
  it('cancelling or moving a post before it is claimed always wins', async () => {
    h = await engineHarness();
    const cancelled = h.schedule('cancel me');
    const moved = h.schedule('move me');
    h.t.herald.services.posts.act(cancelled, 'cancel', { kind: 'system' });
    const current = h.t.herald.services.posts.get(moved);
    h.t.herald.services.posts.update(
      moved,
      { scheduledAt: new Date(h.clock.now() + 30 * MIN).toISOString(), version: current.version },
      { kind: 'system' },
    );
    await h.round();
    expect(h.status(cancelled)).toBe('cancelled');
    expect(h.status(moved)).toBe('scheduled');
    expect(h.platform.posts).toHaveLength(0);
  });

  it('a post being published cannot be edited or cancelled', async () => {
    h = await engineHarness();
    h.platform.latencyMs = 200;
    const id = h.schedule('busy');
    h.t.herald.engine.runDue();
    expect(h.status(id)).toBe('publishing');
    const post = h.t.herald.services.posts.get(id);
    expect(() =>
      h.t.herald.services.posts.update(id, { caption: 'too late', version: post.version }, { kind: 'system' }),
    ).toThrow(ConflictError);
    expect(() => h.t.herald.services.posts.act(id, 'cancel', { kind: 'system' })).toThrow(ConflictError);
    await h.t.herald.engine.drain(5_000);
    expect(h.t.herald.services.posts.get(id)).toMatchObject({ status: 'published', caption: 'busy' });
  });
});

describe('pacing', () => {
  it('one publish in flight per account, PUBLISH_CONCURRENCY in all', async () => {
    h = await engineHarness({ PUBLISH_CONCURRENCY: '2' });
    h.platform.latencyMs = 100;
    const sameAccount = [h.schedule('a1'), h.schedule('a2'), h.schedule('a3')];
    const others = [seedClient(h.t, { name: 'Two' }), seedClient(h.t, { name: 'Three' })].map((s) =>
      h.schedule('elsewhere', 0, s.facebook.id),
    );
    const first = h.t.herald.engine.runDue();
    expect(first.claimed).toBe(2);
    expect(h.t.herald.engine.busyAccounts).toHaveLength(2);
    expect(sameAccount.filter((id) => h.status(id) === 'publishing').length).toBeLessThanOrEqual(1);
    await h.t.herald.engine.drain(5_000);
    // A finished publish refills its slot at once, so a post may be mid-flight between rounds.
    while (sameAccount.some((id) => ['scheduled', 'publishing'].includes(h.status(id)))) await h.round();
    expect(sameAccount.map((id) => h.status(id))).toEqual(['published', 'published', 'published']);
    // Calls to the platform for one account never overlapped.
    const publishes = h.platform.calls(/^\/publish$/);
    expect(publishes).toHaveLength(5);
    expect(others.map((id) => h.status(id))).toEqual(['published', 'published']);
    // Each post's time at the platform: from its first call (/prepare) arriving to its publish being
    // accepted (recorded after the fake's latency, just before it answers).
    const flight = (id: string) => {
      const starts = h.platform.requests.filter((r) => r.body?.key === id).map((r) => r.at);
      const ends = h.platform.posts.filter((p) => p.key === id).map((p) => p.at);
      expect(starts.length, `calls for ${id}`).toBeGreaterThanOrEqual(2);
      expect(ends, `publishes of ${id}`).toHaveLength(1);
      return { id, start: Math.min(...starts), end: ends[0]! };
    };
    const flights = sameAccount.map(flight).sort((a, b) => a.start - b.start);
    for (let i = 1; i < flights.length; i++) {
      expect(
        flights[i]!.start,
        `${flights[i]!.id} started before ${flights[i - 1]!.id} was done`,
      ).toBeGreaterThanOrEqual(flights[i - 1]!.end);
    }
    // And never more than PUBLISH_CONCURRENCY posts at the platform at once.
    const all = [...sameAccount, ...others].map(flight);
    for (const f of all) expect(all.filter((g) => g.start <= f.start && f.start < g.end).length).toBeLessThanOrEqual(2);
  });
});

describe('the due check in real time', () => {
  it('a post leaves within about a second of its time', async () => {
    const platform = new FakePlatform();
    await platform.start();
    const t = await makeHerald({}, { publishers: [new TestPublisher(platform.url)] });
    try {
      const seeded = seedClient(t);
      t.herald.lease.start();
      t.herald.scheduler.start();
      const at = Date.now() + 1500;
      const post = t.herald.services.posts.create(
        {
          accountId: seeded.facebook.id,
          caption: 'on time',
          scheduledAt: new Date(at).toISOString(),
          status: 'scheduled',
        },
        { kind: 'system' },
      );
      for (let i = 0; i < 80 && t.herald.services.posts.get(post.id).status !== 'published'; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(platform.posts).toHaveLength(1);
      const sent = platform.posts[0]!.at;
      expect(sent).toBeGreaterThanOrEqual(at);
      // The due check runs every second; a busy machine may add a little to that, never a minute.
      expect(sent - at).toBeLessThan(3000);
    } finally {
      await t.close();
      await platform.stop();
    }
  });
});
