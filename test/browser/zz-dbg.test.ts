import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Area, auditPage, fullHerald, sessions, sweepPages } from '../helpers/a11y-sweep.js';
import { launchBrowser } from '../helpers/browser.js';
const full = await fullHerald();
const { pages } = sweepPages(full.live, full.fixtures, full.queries, full.byArea);
const want = (process.env.DBG_PAGES ?? '').split(',');
const chosen = pages.filter((p) => want.some((w) => p.pattern === w));
let browser: Browser; let as: Record<Area, Page>;
beforeAll(async () => { browser = await launchBrowser(); as = await sessions(browser, full.live, full.inviteUrl);
  for (const page of Object.values(as)) await page.setViewportSize({ width: 320, height: 800 }); }, 60_000);
afterAll(async () => { await browser?.close(); await full.live.close(); });
it.each(chosen)('$path', async ({ area, path }) => {
  const found = await auditPage(as[area], full.live.url, path);
  expect((found ?? []).join('\n'), `${area} ${path}`).toBe('');
});
