// Every page of the admin area, the portal and the public pages of a full Herald on a 390-pixel phone, audited by
// axe-core in the browser against WCAG 2.2 A and AA, and at 320 CSS pixels (400 % zoom of a 1280-pixel window) with no
// sideways scrolling (test/helpers/a11y-sweep.ts; docs/accessibility.md).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Area, auditPage, fullHerald, sessions, sweepPages } from '../helpers/a11y-sweep.js';
import { launchBrowser } from '../helpers/browser.js';

const full = await fullHerald();
const { pages } = sweepPages(full.live, full.fixtures, full.queries, full.byArea);
let browser: Browser;
let as: Record<Area, Page>;

beforeAll(async () => {
  browser = await launchBrowser();
  as = await sessions(browser, full.live, full.inviteUrl);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await full.live.close();
});

describe.each([390, 320])('the accessibility sweep at %i px', (width) => {
  beforeAll(async () => {
    for (const page of Object.values(as)) await page.setViewportSize({ width, height: 800 });
  });

  it.each(pages)('$area $path has no violations', async ({ area, path }) => {
    const found = await auditPage(as[area], full.live.url, path);
    expect((found ?? []).join('\n'), `${area} ${path} at ${width} px`).toBe('');
  });
});
