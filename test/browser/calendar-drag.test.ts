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
import { seedClient } from '../helpers/herald.js';

const DAY = 86_400_000;

describe('dragging posts in the calendar, in a real browser', () => {
  let live: LiveHerald;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let s: ReturnType<typeof seedClient>;

  const schedule = (at: number, caption: string) =>
    live.herald.services.posts.create(
      { accountId: s.facebook.id, caption, scheduledAt: new Date(at).toISOString(), status: 'scheduled' },
      { kind: 'system' },
    ).id;
  const timeOf = (id: string) => live.herald.repos.posts.get(id)!.scheduledAt;
  const card = (date: string, id: string) => page.locator(`.cal-day[data-date="${date}"] .cal-card[data-id="${id}"]`);

  beforeAll(async () => {
    live = await startLiveHerald();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    problems = watchConsole(page);
    s = seedClient(live, { name: 'Drag Bakery' });
    await signIn(page, live.url);
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('moves a dragged post to the day it is dropped on, and Undo puts it back', async () => {
    const at = Date.UTC(2030, 4, 6, 8); // Monday 6 May 2030, 10:00 in Berlin
    const id = schedule(at, 'Drag me');
    await page.goto(`${live.url}/calendar?clientId=${s.client.id}&date=2030-05-01`);
    await expect.poll(() => card('2030-05-06', id).count()).toBe(1);
    await page.dragAndDrop(`.cal-card[data-id="${id}"]`, '.cal-day[data-date="2030-05-09"]');
    await expect.poll(() => page.locator('.cal-notice').textContent()).toContain('Moved to');
    await expect.poll(() => card('2030-05-09', id).count()).toBe(1);
    expect(await card('2030-05-06', id).count()).toBe(0);
    expect(timeOf(id)).toBe(at + 3 * DAY);
    // The swap kept the page: no reload, same address.
    expect(page.url()).toBe(`${live.url}/calendar?clientId=${s.client.id}&date=2030-05-01`);
    await screenshot(page, 'calendar-drag-moved');
    await page.locator('.cal-undo button').click();
    await expect.poll(() => page.locator('.cal-notice').textContent()).toContain('Moved back');
    await expect.poll(() => card('2030-05-06', id).count()).toBe(1);
    expect(timeOf(id)).toBe(at);
  });

  it('moves a post to a day and hour of the week’s time grid', async () => {
    const id = schedule(Date.UTC(2030, 4, 14, 8), 'Week drag');
    await page.goto(`${live.url}/calendar?clientId=${s.client.id}&view=week&date=2030-05-13`);
    await page.dragAndDrop(`.cal-card[data-id="${id}"]`, '.cal-slot[data-date="2030-05-16"][data-time="15:00"]');
    await expect.poll(() => page.locator('.cal-notice').textContent()).toContain('Moved to');
    await expect
      .poll(() => page.locator(`.cal-slot[data-date="2030-05-16"][data-time="15:00"] [data-id="${id}"]`).count())
      .toBe(1);
    expect(timeOf(id)).toBe(Date.UTC(2030, 4, 16, 13));
  });

  it('refuses a drop when the post started publishing meanwhile, and leaves it where it was', async () => {
    const at = Date.UTC(2030, 4, 20, 8);
    const id = schedule(at, 'Going out');
    await page.goto(`${live.url}/calendar?clientId=${s.client.id}&date=2030-05-01`);
    await expect.poll(() => card('2030-05-20', id).count()).toBe(1);
    // The engine picks it up between the page being shown and the drop.
    live.herald.database.sqlite.prepare("UPDATE posts SET status = 'publishing', due_at = NULL WHERE id = ?").run(id);
    await page.dragAndDrop(`.cal-card[data-id="${id}"]`, '.cal-day[data-date="2030-05-22"]');
    await expect.poll(() => page.locator('.cal-notice').textContent()).toContain('A publishing post cannot be moved.');
    expect(await page.locator('.cal-notice[role="alert"]').count()).toBe(1);
    await expect.poll(() => card('2030-05-20', id).count()).toBe(1);
    expect(await card('2030-05-22', id).count()).toBe(0);
    expect(timeOf(id)).toBe(at);
    // It is not draggable any more, and has no Move control.
    expect(await card('2030-05-20', id).getAttribute('draggable')).toBeNull();
    expect(await card('2030-05-20', id).locator('.cal-move').count()).toBe(0);
  });

  it('moves a post with the keyboard alone: the Move control, and pick-up and drop', async () => {
    const at = Date.UTC(2030, 4, 27, 8);
    const id = schedule(at, 'Keyboard');
    await page.goto(`${live.url}/calendar?clientId=${s.client.id}&date=2030-05-01`);
    const move = card('2030-05-27', id).locator('summary.cal-move-button');
    await move.focus();
    await page.keyboard.press('Enter');
    const form = card('2030-05-27', id).locator('form.cal-move-form');
    await expect.poll(() => form.isVisible()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('day');
    await form.locator('input[name=day]').fill('2030-05-29');
    await page.keyboard.press('Tab');
    await form.locator('input[name=time]').fill('16:30');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.cal-notice').textContent()).toContain('Moved to');
    await expect.poll(() => card('2030-05-29', id).count()).toBe(1);
    expect(timeOf(id)).toBe(Date.UTC(2030, 4, 29, 14, 30));

    // Pick-up ("m" on the focused card) and drop (Enter on a focused day).
    await card('2030-05-29', id).locator('a.cal-entry').focus();
    await page.keyboard.press('m');
    await page.locator('.cal-day[data-date="2030-05-30"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => card('2030-05-30', id).count()).toBe(1);
    expect(timeOf(id)).toBe(Date.UTC(2030, 4, 30, 14, 30));
    // The refused drop answered 422 (the browser logs any 4xx); nothing else went wrong on the way.
    expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
  });
});
