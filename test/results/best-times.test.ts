// The results' best times compare hours across networks by each network's own norm: Instagram's
// higher rates must not make the hours it happened to post at "the best".
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { fromLocalInput } from '../../src/lib/zoned-time.js';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

let t: TestHerald | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

it('ranks hours by rate relative to each network’s mean', async () => {
  t = await makeHerald({}, { clock: new ManualClock(Date.parse('2026-11-30T12:00:00Z')) });
  const seeded = seedClient(t, { timezone: 'Europe/Berlin' });
  const { herald } = t;
  const publish = (accountId: string, local: string, rate: number) => {
    const at = fromLocalInput(local, 'Europe/Berlin')!;
    const post = herald.services.posts.create({ accountId: seeded.facebook.id, caption: local }, { kind: 'system' });
    herald.repos.posts.update(post.id, { accountId, status: 'published', publishedAt: at, externalId: `x_${post.id}` });
    const account = herald.repos.accounts.get(accountId)!;
    herald.repos.metrics.insertPostSnapshot({
      postId: post.id,
      horizon: '24h',
      clientId: seeded.client.id,
      accountId,
      platform: account.platform,
      collectedAt: at + 86_400_000,
      views: null,
      reach: 1000,
      likes: Math.round(rate * 1000),
      comments: null,
      shares: null,
      saves: null,
      clicks: null,
      follows: null,
      watchTimeMs: null,
      raw: {},
      error: null,
    });
  };
  for (const week of ['2026-11-09', '2026-11-16']) {
    const day = (offset: number) => {
      const d = new Date(Date.parse(`${week}T00:00:00Z`) + offset * 86_400_000);
      return d.toISOString().slice(0, 10);
    };
    publish(seeded.facebook.id, `${day(0)}T09:00`, 0.02); // Monday 09:00
    publish(seeded.facebook.id, `${day(1)}T18:00`, 0.06); // Tuesday 18:00: three times the page's usual
    publish(seeded.instagram.id, `${day(2)}T12:00`, 0.1); // Instagram's usual, higher in raw terms
    publish(seeded.instagram.id, `${day(3)}T12:00`, 0.08);
  }
  const r = herald.services.results.forClient(seeded.client.id, { from: '2026-11-01', to: '2026-11-30' });
  expect(r.bestTimes[0]).toMatchObject({ weekday: 2, hour: 18, posts: 2 });
  expect(r.bestTimes.at(-1)).toMatchObject({ weekday: 1, hour: 9 });
});
