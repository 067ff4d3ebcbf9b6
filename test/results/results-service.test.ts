// The numbers behind the Results pages, from stored snapshots: totals against the previous
// period, the latest horizon of each post, platforms, best and worst posts, the week's heatmap in
// the client's zone, rules and topics, daily account series, and period validation.
import { afterEach, describe, expect, it } from 'vitest';
import type { PostMetricValues } from '../../src/domain/metrics.js';
import { ManualClock } from '../../src/lib/clock.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let t: TestHerald | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup() {
  t = await makeHerald({}, { clock: new ManualClock(NOW) });
  const seeded = seedClient(t, { timezone: 'Europe/Berlin' });
  const { herald } = t;
  /** A post published at `at` with snapshots at the given horizons. */
  const published = (
    at: number,
    snapshots: Record<string, PostMetricValues>,
    extra: { accountId?: string; topic?: string; ruleId?: string; error?: string } = {},
  ) => {
    const post = herald.services.posts.create(
      { accountId: seeded.facebook.id, caption: `post at ${new Date(at).toISOString()}` },
      { kind: 'system' },
    );
    // Moved to its account afterwards: Instagram would refuse a post without media when it is written.
    const account = herald.repos.accounts.get(extra.accountId ?? seeded.facebook.id)!;
    herald.repos.posts.update(post.id, {
      accountId: account.id,
      clientId: account.clientId,
      status: 'published',
      publishedAt: at,
      externalId: `x_${post.id}`,
      topic: extra.topic ?? null,
      ruleId: extra.ruleId ?? null,
    });
    for (const [horizon, values] of Object.entries(snapshots))
      herald.repos.metrics.insertPostSnapshot({
        postId: post.id,
        horizon,
        clientId: account.clientId,
        accountId: account.id,
        platform: account.platform,
        collectedAt: at + (horizon === '1h' ? HOUR : DAY),
        views: null,
        reach: null,
        likes: null,
        comments: null,
        shares: null,
        saves: null,
        clicks: null,
        follows: null,
        watchTimeMs: null,
        ...values,
        raw: {},
        error: extra.error ?? null,
      });
    return post.id;
  };
  return { herald, seeded, published };
}

describe('results for a client', () => {
  it('sums the latest snapshot of each post, compares with the previous period, and ranks posts by rate', async () => {
    const { herald, seeded, published } = await setup();
    // Monday 2026-11-23 09:00 in Berlin (08:00 UTC).
    const monday9 = Date.parse('2026-11-23T08:00:00Z');
    const good = published(monday9, {
      '1h': { reach: 100, likes: 1 },
      '24h': { reach: 1000, likes: 80, comments: 10, shares: 10 },
    });
    const poor = published(monday9 + DAY, { '24h': { reach: 1000, likes: 5 } }, { accountId: seeded.instagram.id });
    published(NOW - 2 * HOUR, {}); // Not measured yet.
    published(Date.parse('2026-10-20T08:00:00Z'), { '30d': { reach: 50, likes: 5 } }); // The period before.

    const r = herald.services.results.forClient(seeded.client.id, { from: '2026-11-01', to: '2026-11-30' });
    expect(r.period.fromDay).toBe('2026-11-01');
    expect(r.period.from).toBe(Date.parse('2026-10-31T23:00:00Z'));
    expect(r.totals).toEqual({
      posts: 3,
      views: null,
      reach: 2000,
      likes: 85,
      comments: 10,
      shares: 10,
      saves: null,
      clicks: null,
      engagements: 105,
    });
    expect(r.unmeasured).toBe(1);
    expect(r.previousPeriod).toMatchObject({ fromDay: '2026-10-02', toDay: '2026-10-31' });
    expect(r.previous).toMatchObject({ posts: 1, reach: 50, likes: 5, engagements: 5 });
    expect(Object.keys(r.byPlatform).sort()).toEqual(['facebook', 'instagram']);
    expect(r.topPosts.map((p) => p.postId)).toEqual([good, poor]);
    expect(r.topPosts[0]).toMatchObject({ horizon: '24h', engagements: 100, rate: 0.1 });
    expect(r.heatmap).toContainEqual({ weekday: 1, hour: 9, posts: 1, rate: 0.1 });
    expect(r.heatmap).toContainEqual({ weekday: 2, hour: 9, posts: 1, rate: 0.005 });
    expect(r.bestTimes[0]).toMatchObject({ weekday: 1, hour: 9, posts: 1 });
  });

  it('groups by label: a post with two labels counts under each, posts without one under none', async () => {
    const { herald, seeded, published } = await setup();
    const launch = herald.services.labels.create({ name: 'Autumn launch', color: '#b45309' });
    const tips = herald.services.labels.create({ name: 'Tips', color: '#1d4ed8' });
    const both = published(NOW - 3 * DAY, { '24h': { reach: 100, likes: 10 } });
    const one = published(NOW - 2 * DAY, { '24h': { reach: 100, likes: 2 } });
    published(NOW - DAY, { '24h': { reach: 100, likes: 50 } });
    herald.repos.labels.setForPost(both, [launch.id, tips.id]);
    herald.repos.labels.setForPost(one, [tips.id]);
    const r = herald.services.results.forClient(seeded.client.id, {});
    expect(r.byLabel.map((b) => [b.label, b.posts])).toEqual([
      ['Autumn launch', 1],
      ['Tips', 2],
    ]);
    expect(r.byLabel[1]!.rate).toBeCloseTo(0.06);
  });

  it('groups by rule and topic, and builds daily series from account days', async () => {
    const { herald, seeded, published } = await setup();
    const rule = herald.services.rules.create(seeded.client.id, { name: 'Weekly tips', cron: '0 9 * * 1' });
    published(NOW - 3 * DAY, { '24h': { reach: 100, likes: 10 } }, { ruleId: rule.id, topic: 'bread' });
    published(NOW - 2 * DAY, { '24h': { reach: 100, likes: 2 } }, { topic: 'cake' });
    for (const [day, followers] of [
      ['2026-11-28', 100],
      ['2026-11-29', 104],
    ] as const)
      herald.repos.metrics.upsertAccountDay({
        accountId: seeded.facebook.id,
        day,
        clientId: seeded.client.id,
        platform: 'facebook',
        collectedAt: NOW,
        followers,
        views: 10,
        reach: null,
        engagements: 3,
        raw: {},
      });
    const r = herald.services.results.forClient(seeded.client.id, {});
    expect(r.period).toMatchObject({ fromDay: '2026-11-01', toDay: '2026-11-30' });
    expect(r.byRule).toEqual([expect.objectContaining({ key: rule.id, label: 'Weekly tips', posts: 1, rate: 0.1 })]);
    expect(r.byTopic.map((b) => [b.key, b.rate])).toEqual([
      ['bread', 0.1],
      ['cake', 0.02],
    ]);
    const fb = r.series.byPlatform.facebook!;
    const at = (day: string) => r.series.days.indexOf(day);
    expect(fb.followers[at('2026-11-29')]).toBe(104);
    expect(fb.followers[at('2026-11-27')]).toBeNull();
    expect(fb.views[at('2026-11-28')]).toBe(10);
  });

  it('lists a post once when two horizons share a collection time; top and bottom never overlap', async () => {
    const { herald, seeded, published } = await setup();
    // '24h' and '7d' are both written a day after publishing by the helper: the same collected_at.
    const twice = published(NOW - 10 * DAY, { '24h': { reach: 100, likes: 1 }, '7d': { reach: 100, likes: 1 } });
    const others = [2, 3, 4, 5, 6, 7].map((likes, i) =>
      published(NOW - (i + 2) * DAY, { '24h': { reach: 100, likes } }),
    );
    const r = herald.services.results.forClient(seeded.client.id, {});
    expect(r.totals.posts).toBe(7);
    expect(r.topPosts.map((p) => p.postId)).toEqual(others.slice().reverse().slice(0, 5));
    // Seven ranked posts: the five best on top, the two weakest below, worst first.
    expect(r.bottomPosts.map((p) => p.postId)).toEqual([twice, others[0]]);
  });

  it('refuses bad periods with field errors', async () => {
    const { herald, seeded } = await setup();
    const results = herald.services.results;
    expect(() => results.forClient(seeded.client.id, { from: 'yesterday' })).toThrow(/not valid/);
    expect(() => results.forClient(seeded.client.id, { from: '2026-11-30', to: '2026-11-01' })).toThrow();
    expect(() => results.forClient(seeded.client.id, { from: '2020-01-01', to: '2026-11-01' })).toThrow();
    expect(() => results.forClient(seeded.client.id, { from: '2026-02-30' })).toThrow();
  });
});

describe('results for the agency', () => {
  it("gives each client the totals of its own page, counted in its own zone's days", async () => {
    const { herald, seeded, published } = await setup();
    const deli = seedClient(t!, { name: 'Harbor Deli', timezone: 'America/New_York' });
    // 02:00 UTC on 1 November: the 1st in Berlin, still 31 October in New York.
    const edge = Date.parse('2026-11-01T02:00:00Z');
    published(edge, { '24h': { reach: 400, likes: 40 } });
    published(edge + DAY, { '1h': { views: 90, likes: 2 }, '7d': { views: 300, likes: 12, clicks: 3 } });
    published(NOW - HOUR, {}); // Not measured yet: counted as a post, not in the numbers.
    published(edge, { '24h': { reach: 200, likes: 4 } }, { accountId: deli.facebook.id });
    published(edge + 2 * DAY, { '24h': { reach: 500, likes: 25, shares: 5 } }, { accountId: deli.facebook.id });
    published(edge + 3 * DAY, { '24h': { reach: 100, likes: 10 } }, { accountId: deli.instagram.id });
    // A post whose only reading failed: published, not measured.
    published(edge + 3 * DAY, { '7d': { reach: 999, likes: 999 } }, { accountId: deli.instagram.id, error: 'x' });

    const input = { from: '2026-11-01', to: '2026-11-30' };
    const agency = herald.services.results.forAgency(input);
    expect(agency.clients.map((c) => c.name)).toEqual(['Acme Bakery', 'Harbor Deli']);
    for (const row of agency.clients) {
      const own = herald.services.results.forClient(row.clientId, input);
      expect(row.period).toEqual(own.period);
      expect(row.totals).toEqual(own.totals);
      const rates = [...own.topPosts, ...own.bottomPosts]
        .filter((p, i, all) => all.findIndex((q) => q.postId === p.postId) === i)
        .map((p) => p.rate!);
      expect(row.rate).toBeCloseTo(rates.reduce((a, b) => a + b, 0) / rates.length, 12);
    }
    const [acme, harbor] = agency.clients;
    expect(acme!.totals).toMatchObject({ posts: 3, reach: 400, views: 300, likes: 52, clicks: 3, engagements: 55 });
    // The post at 02:00 UTC on 1 November is October's in New York.
    expect(harbor!.totals).toMatchObject({ posts: 3, reach: 600, likes: 35, shares: 5, engagements: 40 });
    expect(agency.totals).toMatchObject({ posts: 6, reach: 1000, likes: 87, engagements: 95 });
    expect(seeded.client.id).toBe(acme!.clientId);
  });
});

describe('account days', () => {
  it('keep a value a later reading of the same day lacks, and take the values it has', async () => {
    const { herald, seeded } = await setup();
    const day = (values: { followers: number | null; views: number | null }, raw: Record<string, number | null>) =>
      herald.repos.metrics.upsertAccountDay({
        accountId: seeded.instagram.id,
        day: '2026-11-28',
        clientId: seeded.client.id,
        platform: 'instagram',
        collectedAt: NOW,
        reach: null,
        engagements: null,
        ...values,
        raw,
      });
    day({ followers: 120, views: 10 }, { follower_count: 120, views: 10 });
    day({ followers: null, views: 14 }, { views: 14 });
    expect(herald.repos.metrics.accountDays(seeded.instagram.id)).toEqual([
      expect.objectContaining({ followers: 120, views: 14, raw: { follower_count: 120, views: 14 } }),
    ]);
  });
});
