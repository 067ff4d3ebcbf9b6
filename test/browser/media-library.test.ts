// The media library in a real browser against the real server: three files dropped at once, each
// with its own progress bar (XHR upload progress, one request per file), the grid refreshed with
// their thumbnails, alt text edited in place and searched, and "use in a new post" opening the
// composer with the chosen media. No console errors: the page's script obeys the CSP.
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

describe('media library in a real browser', () => {
  let live: LiveHerald;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let clientId: string;

  beforeAll(async () => {
    live = await startLiveHerald({ FFMPEG_PATH: '/nonexistent/ffmpeg' });
    clientId = seedClient(live, { name: 'Acme Bakery' }).client.id;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchConsole(page);
    await signIn(page, live.url);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('uploads three dropped files with a progress bar each, then shows them in the grid', async () => {
    await page.goto(`${live.url}/clients/${clientId}/media`);
    expect(await page.textContent('#media-grid')).toContain('No media yet.');
    // With the script running, the plain form's button is hidden: dropping or choosing uploads.
    await page.waitForSelector('#upload-form.js-upload');
    expect(await page.isVisible('.upload-submit')).toBe(false);

    const files = await Promise.all(
      [
        ['rye.jpg', 1600, 1200],
        ['spelt.jpg', 1200, 1600],
        ['brioche.jpg', 900, 900],
      ].map(async ([name, w, h]) => ({
        name: name as string,
        data: (await makeImage(w as number, h as number)).toString('base64'),
      })),
    );
    // Every status text the bars show on the way, to see the progress, not only the end.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver((records) => {
        for (const r of records) if (r.target.textContent) seen.push(r.target.textContent);
      }).observe(document.getElementById('upload-progress')!, { subtree: true, childList: true, characterData: true });
    });
    const dataTransfer = await page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) {
        const bytes = Uint8Array.from(atob(f.data), (ch) => ch.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: 'image/jpeg' }));
      }
      return dt;
    }, files);
    await page.dispatchEvent('#upload-form', 'dragover', { dataTransfer });
    expect(await page.getAttribute('#upload-form', 'class')).toContain('dragging');
    await page.dispatchEvent('#upload-form', 'drop', { dataTransfer });

    await page.waitForFunction(() => document.querySelectorAll('#upload-progress li.done').length === 3);
    const rows = await page.$$eval('#upload-progress li', (lis) =>
      lis.map((li) => ({
        name: li.querySelector('.upload-name')?.textContent,
        value: (li.querySelector('progress') as HTMLProgressElement).value,
        status: li.querySelector('.upload-status')?.textContent,
      })),
    );
    expect(rows.map((r) => r.name).sort()).toEqual(['brioche.jpg', 'rye.jpg', 'spelt.jpg']);
    expect(rows.every((r) => r.value === 100 && r.status === 'uploaded')).toBe(true);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    // Upload progress events (XHR upload.onprogress) moved the bars; the final one is at least 100%.
    expect(seen.some((s) => /^[1-9]\d*%$/.test(s))).toBe(true);

    // The grid is refreshed in place with the three files and their thumbnails.
    await page.waitForFunction(() => document.querySelectorAll('#media-grid .media-item').length === 3);
    const thumbs = await page.$$eval('#media-grid .media-item img', (imgs) =>
      imgs.map((i) => ({ src: i.getAttribute('src'), w: (i as HTMLImageElement).naturalWidth })),
    );
    expect(thumbs).toHaveLength(3);
    for (const th of thumbs) expect(th.src).toMatch(/^\/media\/[A-Za-z0-9_-]{20,}\.webp$/);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('#media-grid img')].every((i) => i.complete && i.naturalWidth),
    );
    expect(live.herald.repos.media.listByClient(clientId, 10).data).toHaveLength(3);
    await screenshot(page, 'media-library-uploaded');
  });

  it('edits alt text in place and finds the file by it', async () => {
    const item = page.locator('.media-item', { hasText: 'spelt.jpg' });
    await item.locator('.media-edit summary').click();
    await item.locator('textarea[name=altText]').fill('A dark spelt loaf, sliced');
    await item.locator('.media-edit button[type=submit]').click();
    await page.waitForSelector('.media-item:has-text("Alt: A dark spelt loaf, sliced")');

    await page.fill('.media-search input[name=q]', 'sliced');
    await page.click('.media-search button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#media-grid .media-item').length === 1);
    expect(await page.textContent('#media-grid .media-item strong')).toBe('spelt.jpg');
    expect(page.url()).toContain('q=sliced');
  });

  it('opens the composer with the file from "Use in a new post"', async () => {
    const id = live.herald.repos.media.listByClient(clientId, 10).data.find((m) => m.name === 'spelt.jpg')!.id;
    expect(problems).toEqual([]);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/groups/new'),
      page.click('#media-grid .media-item .use-in-post'),
    ]);
    const url = new URL(page.url());
    expect(url.searchParams.get('clientId')).toBe(clientId);
    expect(url.searchParams.getAll('mediaIds')).toEqual([id]);
  });

  it('sends several chosen files to a new post at once', async () => {
    await page.goto(`${live.url}/clients/${clientId}/media`);
    const boxes = page.locator('#media-grid input[name=mediaIds]');
    await boxes.nth(0).check();
    await boxes.nth(2).check();
    const chosen = await Promise.all([boxes.nth(0).getAttribute('value'), boxes.nth(2).getAttribute('value')]);
    await Promise.all([page.waitForURL((url) => url.pathname === '/groups/new'), page.click('#use-form button')]);
    const url = new URL(page.url());
    expect(url.searchParams.get('clientId')).toBe(clientId);
    expect(url.searchParams.getAll('mediaIds')).toEqual(chosen);
  });
});
