// The pages of an empty Herald (no accounts, posts, results or members yet: the empty states a new agency sees first)
// at desktop, phone and 320-pixel widths, audited by axe-core against WCAG 2.2 A and AA (test/helpers/a11y-sweep.ts).
// Pages whose parameters need rows an empty Herald does not have are swept full in a11y-desktop and a11y-phone.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Area, auditPage, emptyHerald, sessions, sweepPages } from '../helpers/a11y-sweep.js';
import { launchBrowser } from '../helpers/browser.js';

const empty = await emptyHerald();
const { pages } = sweepPages(empty.live, empty.fixtures, empty.queries, empty.byArea);
let browser: Browser;
let as: Record<Area, Page>;

beforeAll(async () => {
  browser = await launchBrowser();
  as = await sessions(browser, empty.live, empty.inviteUrl);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await empty.live.close();
});

it('sweeps the empty pages of every area', () => {
  expect(pages.filter((p) => p.area === 'admin').length).toBeGreaterThan(20);
  expect(pages.filter((p) => p.area === 'portal').length).toBeGreaterThan(2);
});

describe.each([1280, 390, 320])('an empty Herald at %i px', (width) => {
  beforeAll(async () => {
    for (const page of Object.values(as)) await page.setViewportSize({ width, height: 800 });
  });

  it.each(pages)('$area $path has no violations', async ({ area, path }) => {
    const found = await auditPage(as[area], empty.live.url, path);
    expect((found ?? []).join('\n'), `${area} ${path} at ${width} px`).toBe('');
  });
});
