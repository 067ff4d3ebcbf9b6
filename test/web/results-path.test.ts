// The whole path to the pages: a post published by the engine to a Facebook Page (the Meta fake)
// is measured by collect-metrics at each horizon, and after each one the client's Results page and
// the portal's Results tab show that horizon's numbers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MetaResultsHarness, metaResultsHarness, publishedPagePost, T0 } from '../helpers/meta-results.js';
import { PageClient } from '../helpers/page-client.js';

const ADMIN = { email: 'admin@agency.test', password: 'correct horse battery staple' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let h: MetaResultsHarness;
beforeEach(async () => {
  h = await metaResultsHarness({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
});
afterEach(() => h.close());

describe('publish → collect → Results page and portal tab', () => {
  it('shows each horizon’s numbers on both pages as they are collected', async () => {
    const { t, meta, clock } = h;
    const { services } = t.herald;
    const { clientId, post } = await publishedPagePost(h);
    const externalId = post.externalId!;

    const period = '?from=2026-05-25&to=2026-06-05';
    // Fresh sessions each time: a month passes, longer than sessions and invites last.
    const browsers = async () => {
      const admin = new PageClient(t.herald.app);
      expect((await admin.post('/login', ADMIN)).status).toBe(303);
      const portal = new PageClient(t.herald.app);
      expect((await portal.request(new URL(services.clients.createInvite(clientId).url).pathname)).status).toBe(303);
      return [
        [admin, `/clients/${clientId}/results${period}`],
        [portal, `/portal/results${period}`],
      ] as const;
    };

    // Published, not measured yet: both pages say so.
    for (const [browser, path] of await browsers())
      expect((await browser.get(path)).html).toContain('1 post not measured yet');

    for (const [offset, views, reactions, horizon] of [
      [HOUR, 100, 5, '1h'],
      [DAY, 800, 30, '24h'],
      [7 * DAY, 1500, 61, '7d'],
      [30 * DAY, 2000, 80, '30d'],
    ] as const) {
      meta.insights.setLifetime(externalId, { post_media_view: views, post_total_media_view_unique: views / 2 });
      meta.insights.engagement.set(externalId, { reactions, comments: 2, shares: 1 });
      clock.set(T0 + offset + 60_000);
      await t.herald.collector.run(new AbortController().signal);
      const engagements = (reactions + 3).toLocaleString('en-US');
      for (const [browser, path] of await browsers()) {
        const { res, html } = await browser.get(path);
        expect(res.status, `${horizon} ${path}`).toBe(200);
        expect(html, `${horizon} ${path}`).toContain(
          `<dt>Views</dt><dd><strong>${views.toLocaleString('en-US')}</strong>`,
        );
        expect(html).toContain(`<dt>Engagements</dt><dd><strong>${engagements}</strong>`);
        expect(html).toContain(`at ${horizon}</small>`);
        expect(html).not.toContain('not measured yet');
      }
    }
  });
});
