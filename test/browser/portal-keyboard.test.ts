// The client portal's approval flow with the keyboard only, in a real browser against the real server: Tab, Shift+Tab,
// Enter and Space, no clicks and no element.focus(). Each step is checked in the database, and after each page change
// the focus starts at the page's heading with the result announced (public/app.js).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient } from '../helpers/herald.js';
import { launchBrowser, startLiveHerald, type LiveHerald, watchConsole } from '../helpers/browser.js';

let live: LiveHerald;
let browser: Browser;
let page: Page;
let problems: string[];
let ids: string[];

beforeAll(async () => {
  live = await startLiveHerald();
  const acme = seedClient(live, { name: 'Acme Bakery', approvalMode: 'client' });
  ids = ['Fresh rye this Saturday', 'Our sourdough kit is here', 'Closed on Monday', 'Pretzels at noon'].map(
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
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  problems = watchConsole(page);
  await page.goto(live.herald.services.clients.createInvite(acme.client.id).url.replace(/^https?:\/\/[^/]+/, live.url));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await live?.close();
});

const row = (id: string) =>
  live.herald.database.sqlite.prepare('SELECT status, review_comment AS comment FROM posts WHERE id = ?').get(id) as {
    status: string;
    comment: string | null;
  };

/** What the focused element is: its tag, its text or label, and the form it submits to. */
function focused() {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return 'body';
    const form = el.closest('form')?.getAttribute('action') ?? '';
    const name = el.getAttribute('aria-label') ?? el.getAttribute('href') ?? el.textContent?.trim() ?? '';
    return `${el.tagName.toLowerCase()} "${name}" ${form}`.trim();
  });
}

/** Presses Tab (or Shift+Tab) until the focused element matches, at most 60 times; returns what it passed. */
async function tabTo(match: RegExp, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  const passed: string[] = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press(key);
    const now = await focused();
    if (match.test(now)) return;
    passed.push(now);
  }
  throw new Error(`${key} never reached ${match}; passed ${passed.join(', ')}`);
}

async function settled(flash: string): Promise<void> {
  await page.waitForFunction((text) => document.querySelector('#main .notice')?.textContent?.includes(text), flash);
  // The new page starts at its heading (the next Tab goes on from there) and the live region says what happened.
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
  await page.waitForFunction((text) => document.getElementById('announcer')?.textContent?.includes(text), flash);
}

describe('the portal approval flow with the keyboard only', () => {
  it('starts at a skip link, and reaches the waiting posts through the navigation', async () => {
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a "#main"');
    await tabTo(/^a "\/portal\/posts"/);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${live.url}/portal/posts`);
    await page.waitForSelector(`form[action="/portal/posts/${ids[0]}/approve"]`);
    expect(ids.map((id) => row(id).status)).toEqual(Array(4).fill('pending_approval'));
  });

  it('approves one post with Enter', async () => {
    await tabTo(new RegExp(`^button "Approve" /portal/posts/${ids[0]}/approve$`));
    await page.keyboard.press('Enter');
    await settled('Approved: it will be published at its time.');
    expect(row(ids[0]!).status).toBe('scheduled');
    expect(ids.slice(1).map((id) => row(id).status)).toEqual(Array(3).fill('pending_approval'));
  });

  it('asks for changes on another with a comment, going back with Shift+Tab and pressing Space', async () => {
    await tabTo(new RegExp(`^button "Ask for changes" /portal/posts/${ids[1]}/reject$`));
    await tabTo(new RegExp(`^input "Comment" /portal/posts/${ids[1]}/reject$`), 'Shift+Tab');
    await page.keyboard.type('Please mention the oven, too');
    await tabTo(new RegExp(`^button "Ask for changes" /portal/posts/${ids[1]}/reject$`));
    await page.keyboard.press('Space');
    await settled('Sent back to your agency with your comment.');
    expect(row(ids[1]!)).toEqual({ status: 'rejected', comment: 'Please mention the oven, too' });
    expect(ids.slice(2).map((id) => row(id).status)).toEqual(['pending_approval', 'pending_approval']);
  });

  it('approves all the rest with "Approve all" and its confirmation', async () => {
    const asked: string[] = [];
    // The browser's own confirmation dialog: accepting it is what Enter does on its focused OK button.
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
    });
    await tabTo(/^button "Approve all \(2\)" \/portal\/posts\/approve-all$/);
    await page.keyboard.press('Enter');
    await settled('Approved 2 posts');
    expect(asked).toEqual(['Approve all 2 posts? Each will be published at its time.']);
    expect(ids.map((id) => row(id).status)).toEqual(['scheduled', 'rejected', 'scheduled', 'scheduled']);
    expect(problems).toEqual([]);
  });
});
