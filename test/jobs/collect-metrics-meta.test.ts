// The whole path on the Meta fakes: a post published to a Facebook Page by the engine is measured
// by collect-metrics at +1 h, +24 h, +7 d and +30 d, and each number reaches the API and the
// client's results; the Page's days arrive once a day.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../helpers/herald.js';
import { type MetaResultsHarness, metaResultsHarness, publishedPagePost, T0 } from '../helpers/meta-results.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let h: MetaResultsHarness;
beforeEach(async () => {
  h = await metaResultsHarness();
});
afterEach(() => h.close());

describe('publish → collect on the Meta fakes', () => {
  it('measures a published Facebook post at each horizon and the Page once a day', async () => {
    const { t, meta, clock } = h;
    const { clientId, page, accountId, postId, post: published } = await publishedPagePost(h);
    expect(t.herald.repos.accounts.get(accountId)!.insightsBlocked).toBeNull();
    expect(published.status).toBe('published');
    const externalId = published.externalId!;

    const collect = () => t.herald.collector.run(new AbortController().signal);
    const at = async (ms: number, views: number, reactions: number) => {
      meta.insights.setLifetime(externalId, { post_media_view: views, post_total_media_view_unique: views / 2 });
      meta.insights.engagement.set(externalId, { reactions, comments: 2, shares: 1 });
      clock.set(T0 + ms);
      return collect();
    };
    meta.insights.setDay(page.pageId, '2026-05-31', { page_media_view: 900, page_follows: 1200 });
    await at(HOUR + 60_000, 100, 5);
    await at(DAY + 60_000, 800, 30);
    await at(7 * DAY + 60_000, 1500, 61);
    const counts = await at(30 * DAY + 60_000, 2000, 80);
    expect(counts.errors).toBe(0);
    // Nothing more after the last horizon.
    const requests = meta.requests.length;
    clock.set(T0 + 30 * DAY + 2 * HOUR);
    await collect();
    expect(meta.requests.filter((r) => r.path.includes(externalId)).length).toBe(
      meta.requests.slice(0, requests).filter((r) => r.path.includes(externalId)).length,
    );

    const res = await t.api('GET', `/posts/${postId}/metrics`);
    const { data } = await json(res);
    expect(data.map((s: { horizon: string; views: number; likes: number }) => [s.horizon, s.views, s.likes])).toEqual([
      ['1h', 100, 5],
      ['24h', 800, 30],
      ['7d', 1500, 61],
      ['30d', 2000, 80],
    ]);
    expect(data[0]).toMatchObject({ reach: 50, comments: 2, shares: 1, saves: null });

    const results = await json(await t.api('GET', `/clients/${clientId}/results?from=2026-05-25&to=2026-06-05`));
    expect(results.totals).toMatchObject({ posts: 1, views: 2000, reach: 1000, likes: 80, engagements: 83 });
    expect(results.byPlatform.facebook.views).toBe(2000);
    expect(results.topPosts[0].postId).toBe(postId);

    // The Page's days: read on the first run (30 back), and once more on each later day.
    const days = t.herald.repos.metrics.accountDays(accountId);
    expect(days.find((d) => d.day === '2026-05-31')).toMatchObject({ views: 900 });
  });
});
