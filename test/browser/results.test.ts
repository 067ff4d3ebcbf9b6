// The Results page and the portal's Results tab in a real browser against the real server: the
// server-rendered charts are drawn with a real size, nothing overflows sideways on a desktop or a
// phone, the CSP has nothing to complain about (no console errors), and screenshots are kept for a
// person to look at. Layout sanity, not pixels.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient } from '../helpers/herald.js';
import {
  launchBrowser,
  type LiveHerald,
  screenshot,
  signIn,
  startLiveHerald,
  watchConsole,
} from '../helpers/browser.js';
import { makeImage } from '../helpers/media-fixtures.js';
import { accountDays, publishedWithResults } from '../helpers/results-seed.js';

const DAY = 86_400_000;

describe('Results in a real browser', () => {
  let live: LiveHerald;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let clientId: string;

  beforeAll(async () => {
    live = await startLiveHerald();
    const seeded = seedClient(live, { name: 'Acme Bakery', timezone: 'Europe/Berlin' });
    clientId = seeded.client.id;
    const now = Date.now();
    const media = await live.herald.services.media.ingest([await makeImage(320, 320)], { clientId });
    const rule = live.herald.services.rules.create(clientId, { name: 'Weekly tips', cron: '0 9 * * 1' });
    const fb = { ...seeded.facebook, clientId };
    const ig = { ...seeded.instagram, clientId };
    for (let i = 1; i <= 24; i++) {
      const account = i % 3 === 0 ? ig : fb;
      publishedWithResults(
        live,
        account,
        now - i * DAY - (i % 7) * 3_600_000,
        { '24h': { reach: 400 + 37 * i, likes: 10 + ((i * 7) % 23), comments: i % 5, shares: i % 3 } },
        {
          caption: `Post number ${i}: ${'a fairly long caption about bread and cake '.repeat(4)}`,
          // Instagram needs media; on the Page every other post has none (and so no thumbnail).
          ...(account === ig || i % 2 === 0 ? { mediaIds: [media.id] } : {}),
          topic: ['bread', 'cake', 'coffee'][i % 3]!,
          ...(i % 2 ? { ruleId: rule.id } : {}),
        },
      );
    }
    for (let d = 1; d <= 30; d++) {
      const day = new Date(now - d * DAY).toISOString().slice(0, 10);
      accountDays(live, fb, {
        [day]: { followers: 1000 + (30 - d) * 4, views: 300 + ((d * 37) % 90), engagements: 20 + (d % 9) },
      });
      accountDays(live, ig, {
        [day]: { followers: 700 + (30 - d) * 6, views: 200 + ((d * 53) % 70), engagements: 30 + (d % 5) },
      });
    }
    live.herald.repos.accounts.update(seeded.tiktok.id, { insightsBlocked: 'TikTok did not grant video.list' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchConsole(page);
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  /** Every chart on the page is drawn with a real size, and the page is no wider than the window. */
  async function checkLayout(expectedCharts: number) {
    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBe(expectedCharts);
    for (let i = 0; i < expectedCharts; i++) {
      const box = await charts.nth(i).boundingBox();
      expect(box, `chart ${i}`).not.toBeNull();
      expect(box!.width).toBeGreaterThan(100);
      expect(box!.height).toBeGreaterThan(30);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }

  it('shows the client’s Results with charts that fit on a desktop and on a phone', async () => {
    await signIn(page, live.url);
    await page.goto(`${live.url}/clients/${clientId}`);
    await Promise.all([page.waitForURL(/\/results$/), page.click('.page-actions a:has-text("Results")')]);
    await page.locator('h2:has-text("Top posts")').waitFor();
    expect(await page.locator('.results-posts img.thumb').count()).toBeGreaterThan(0);
    expect(await page.textContent('.results-blocked')).toContain('TikTok did not grant video.list');
    // Three line charts, the heatmap, rules and topics.
    await checkLayout(6);
    await screenshot(page, 'results-desktop');

    await page.click('.presets a:has-text("Last 7 days")');
    await page.waitForURL(/from=\d{4}-\d{2}-\d{2}&to=/);
    expect(await page.locator('.presets a[aria-current="page"]').textContent()).toBe('Last 7 days');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${live.url}/clients/${clientId}/results`);
    await checkLayout(6);
    await screenshot(page, 'results-phone');

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${live.url}/results`);
    await checkLayout(1);
    await screenshot(page, 'results-agency');
    expect(problems).toEqual([]);
  });

  it('shows the same Results in the portal, for that client only', async () => {
    const { url } = live.herald.services.clients.createInvite(clientId);
    const portal = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const portalProblems = watchConsole(portal);
    await portal.goto(url);
    await portal.waitForURL(`${live.url}/portal`);
    await Promise.all([portal.waitForURL(`${live.url}/portal/results`), portal.click('nav >> text=Results')]);
    await portal.locator('h2:has-text("Top posts")').waitFor();
    const charts = portal.locator('svg.chart');
    expect(await charts.count()).toBe(6);
    const box = await charts.first().boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(await portal.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(
      0,
    );
    expect(await portal.locator('a[href^="/clients/"], a[href^="/posts/"]').count()).toBe(0);
    await screenshot(portal, 'results-portal');
    expect(portalProblems).toEqual([]);
    await portal.close();
  });

  it('prints without the navigation and keeps the charts', async () => {
    await page.emulateMedia({ media: 'print' });
    await page.goto(`${live.url}/clients/${clientId}/results`);
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.locator('.period-picker').isVisible()).toBe(false);
    expect(await page.locator('svg.chart').first().isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
  });
});
