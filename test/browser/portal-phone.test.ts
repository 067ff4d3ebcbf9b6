// The client portal's approval page on a 390-pixel phone in a real browser against the real server:
// every button stays inside its card, and "Approve all" asks once, naming the count.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient } from '../helpers/herald.js';
import { launchBrowser, screenshot, startLiveHerald, type LiveHerald } from '../helpers/browser.js';

let live: LiveHerald;
let browser: Browser;
let page: Page;
let ids: string[];

beforeAll(async () => {
  live = await startLiveHerald();
  const acme = seedClient(live, { name: 'Acme Bakery', approvalMode: 'client' });
  ids = ['Fresh rye bread this Saturday', 'Our new sourdough starter kit is here', 'Closed on Monday'].map(
    (caption, i) =>
      live.herald.services.posts.create(
        {
          accountId: acme.facebook.id,
          caption,
          scheduledAt: new Date(Date.now() + (i + 1) * 3_600_000).toISOString(),
          status: 'scheduled',
        },
        { kind: 'system' },
      ).id,
  );
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(live.herald.services.clients.createInvite(acme.client.id).url.replace(/^https?:\/\/[^/]+/, live.url));
  await page.goto(`${live.url}/portal/posts`);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

describe('portal on a 390-pixel phone', () => {
  it('keeps every button inside its card', async () => {
    await screenshot(page, 'portal-posts-390');
    const outside = await page.evaluate(() => {
      const problems: string[] = [];
      for (const card of document.querySelectorAll('article.approval, section.card')) {
        const box = card.getBoundingClientRect();
        for (const button of card.querySelectorAll('button')) {
          const b = button.getBoundingClientRect();
          if (b.width === 0) continue;
          if (b.left < box.left - 0.5 || b.right > box.right + 0.5)
            problems.push(`${button.textContent?.trim()}: ${b.left}-${b.right} outside ${box.left}-${box.right}`);
        }
      }
      return problems;
    });
    expect(outside).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  it('"Approve all" asks once, naming the count, then approves them all', async () => {
    const asked: string[] = [];
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await Promise.all([page.waitForURL(`${live.url}/portal/posts`), page.click('button:has-text("Approve all (3)")')]);
    await page.waitForSelector('text=Approved 3 posts');
    expect(asked).toEqual(['Approve all 3 posts? Each will be published at its time.']);
    expect(ids.map((id) => live.herald.services.posts.get(id).status)).toEqual(['scheduled', 'scheduled', 'scheduled']);
  });
});
