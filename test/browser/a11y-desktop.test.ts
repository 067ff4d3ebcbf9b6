// Every page of the admin area, the portal and the public pages of a full Herald at a desktop width (1280 px), audited
// by axe-core in the browser against WCAG 2.2 A and AA (test/helpers/a11y-sweep.ts; docs/accessibility.md).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPage, fullHerald, sessions, staleFragments, sweepPages, type Area } from '../helpers/a11y-sweep.js';
import { launchBrowser } from '../helpers/browser.js';

const full = await fullHerald();
const { pages, problems } = sweepPages(full.live, full.fixtures, full.queries, full.byArea);
let browser: Browser;
let as: Record<Area, Page>;

beforeAll(async () => {
  browser = await launchBrowser();
  as = await sessions(browser, full.live, full.inviteUrl);
  for (const page of Object.values(as)) await page.setViewportSize({ width: 1280, height: 900 });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await full.live.close();
});

describe('the accessibility sweep at 1280 px', () => {
  it('covers every page: each path parameter has a fixture, each fragment still exists', () => {
    expect(problems).toEqual([]);
    expect(staleFragments(full.live)).toEqual([]);
    expect(pages.filter((p) => p.area === 'admin').length).toBeGreaterThan(30);
    expect(pages.filter((p) => p.area === 'portal').length).toBeGreaterThan(2);
  });

  it("marks the portal's captions with the client's language; the portal's own words are English", async () => {
    await as.portal.goto(`${full.live.url}/portal/posts`);
    expect(await as.portal.evaluate(() => document.documentElement.lang)).toBe('en');
    const marked = await as.portal.evaluate(() =>
      [...document.querySelectorAll('.caption-view, .postlist-caption')].map((el) => el.getAttribute('lang')),
    );
    expect(marked.length).toBeGreaterThan(1);
    expect(new Set(marked)).toEqual(new Set(['de']));
  });

  it.each(pages)('$area $path has no violations', async ({ area, path }) => {
    const found = await auditPage(as[area], full.live.url, path);
    expect((found ?? []).join('\n'), `${area} ${path}`).toBe('');
  });
});
