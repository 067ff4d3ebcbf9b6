import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  screenshot,
  signIn,
  startLiveHerald,
  watchConsole,
  type LiveHerald,
} from '../helpers/browser.js';
import { seedGroup, seedGroupClient, seedLabel } from '../helpers/group-seed.js';

describe('a post group card in the pipeline, in a real browser', () => {
  let live: LiveHerald;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    live = await startLiveHerald();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchConsole(page);
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('opens the card to its members in place, closes it, and approves the whole group from the card', async () => {
    const s = await seedGroupClient(live, 'Browser Bakery');
    const g = seedGroup(live, s.accounts, { caption: 'Pretzel week', image: s.image, hours: 30 });
    const label = seedLabel(live, 'Pretzels', '#dc2626', [g.postIds[0]!]);
    await signIn(page, live.url);
    await page.goto(`${live.url}/pipeline?clientId=${s.client.id}`);
    const card = page.locator(`#group-${g.id}`);
    await expect.poll(() => card.locator('.group-summary').textContent()).toBe('3 draft');
    await expect.poll(() => card.locator(`[data-label="${label}"] .label-chip`).textContent()).toContain('Pretzels');
    expect(await card.locator('tr.group-member').count()).toBe(0);

    // htmx swaps the card for itself opened: the members as pipeline rows, each linking to its post.
    await card.locator('a.group-toggle').click();
    await expect.poll(() => page.locator(`#group-${g.id} tr.group-member`).count()).toBe(3);
    for (const id of g.postIds)
      expect(
        await page.locator(`#group-${g.id} tr.group-member[data-post="${id}"] a[href="/posts/${id}"]`).count(),
      ).toBe(1);
    expect(page.url()).toBe(`${live.url}/pipeline?clientId=${s.client.id}`);
    await screenshot(page, 'pipeline-group-open');
    await page.locator(`#group-${g.id} a.group-toggle`).click();
    await expect.poll(() => page.locator(`#group-${g.id} tr.group-member`).count()).toBe(0);

    // Ticking the card and approving acts on every member.
    await page.check(`#group-${g.id} input[name=ids][value="group:${g.id}"]`);
    await page.click('#bulk-form button[value=approve]');
    await expect.poll(() => page.locator('#pipeline-results .notice').textContent()).toContain('3 approved.');
    expect(g.postIds.map((id) => live.herald.services.posts.get(id).status)).toEqual([
      'scheduled',
      'scheduled',
      'scheduled',
    ]);
    await expect.poll(() => page.locator(`#group-${g.id} .group-summary`).textContent()).toBe('3 scheduled');
    expect(problems).toEqual([]);
  });
});
