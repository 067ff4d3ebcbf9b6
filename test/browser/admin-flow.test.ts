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

describe('admin workflow in a real browser', () => {
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

  it('signs in, creates a client, a rule with its slot preview, and a post through to the calendar', async () => {
    const base = live.url;
    await signIn(page, base);
    await screenshot(page, 'dashboard-empty');

    // A client.
    await page.click('nav.mainnav >> text=Clients');
    await page.waitForURL(`${base}/clients`);
    await page.click('text=New client');
    await page.fill('input[name=name]', 'Bäckerei Schmidt');
    await page.fill('input[name=timezone]', 'Europe/Berlin');
    await page.selectOption('select[name=approvalMode]', 'admin');
    await page.click('button:has-text("Create client")');
    await page.waitForURL(/\/clients\/cli_/);
    const clientId = page.url().split('/').pop()!;
    await expect.poll(() => page.locator('h1').textContent()).toBe('Bäckerei Schmidt');

    // A test account, connected the way OAuth connects them.
    const account = live.herald.services.accounts.connect({
      clientId,
      platform: 'facebook',
      externalId: 'page-1',
      name: 'Schmidt Page',
      accessToken: 'page-token',
      scopes: [],
    });
    await page.reload();
    await expect.poll(() => page.locator(`#account-${account.id}`).textContent()).toContain('Schmidt Page');

    // An invite link with a copy button.
    await page.click('button:has-text("Create invite link")');
    await expect.poll(() => page.locator('#invite-url').inputValue()).toMatch(new RegExp(`^${base}/invite/`));
    await screenshot(page, 'client');

    // A rule: the preview follows the picker.
    await page.click('text=New rule');
    await page.fill('input[name=name]', 'Morning bread');
    await page.check(`input[name=accountIds][value="${account.id}"]`);
    await page.uncheck('input[name=hours][value="9"]');
    await page.check('input[name=hours][value="7"]');
    await expect.poll(() => page.locator('#slot-preview').textContent()).toContain('07:00');
    await expect.poll(() => page.locator('#slot-preview').textContent()).toContain('Europe/Berlin');
    await screenshot(page, 'rule-form');
    await page.fill('textarea[name=topics]', 'sourdough\nseasonal cakes');
    await page.click('button:has-text("Create rule")');
    await page.waitForURL(`${base}/clients/${clientId}`);
    await page.locator('a:has-text("Morning bread")').waitFor({ state: 'visible' });
    await page.locator('text=Weekdays at 07:00').waitFor({ state: 'visible' });

    // A manual post: draft, edit, then approve.
    await page.click('text=New post');
    await page.fill('textarea[name=caption]', 'Fresh rye today #bread');
    await expect.poll(() => page.locator('#caption-counter').textContent()).toContain('22 / 63,206 characters');
    const when = new Date(Date.now() + 2 * 86_400_000);
    const local =
      `${when.getUTCFullYear()}-${String(when.getUTCMonth() + 1).padStart(2, '0')}-` +
      `${String(when.getUTCDate()).padStart(2, '0')}T10:30`;
    await page.fill('input[name=scheduledAt]', local);
    await page.click('button:has-text("Save draft")');
    await page.waitForURL(/\/posts\/post_/);
    await page.locator('.badge.status-draft').first().waitFor({ state: 'visible' });
    await page.fill('textarea[name=caption]', 'Fresh rye and spelt today #bread');
    await page.click('button:has-text("Save")');
    await expect.poll(() => page.locator('.notice-ok').textContent()).toContain('Saved');
    await page.click('.post-actions button:has-text("Schedule")');
    await expect.poll(() => page.locator('.notice-ok').textContent()).toContain('Approved and scheduled');
    await page.locator('.badge.status-scheduled').first().waitFor({ state: 'visible' });
    await screenshot(page, 'post-editor');
    const postId = page.url().split('/').pop()!;
    const post = live.herald.services.posts.get(postId);
    expect(post.caption).toBe('Fresh rye and spelt today #bread');
    expect(post.status).toBe('scheduled');
    // 10:30 in Berlin on that day, stored as UTC.
    expect(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(post.scheduledAt!),
    ).toBe('10:30');

    // It is on the calendar, in the client's zone, and opens the editor.
    await page.goto(`${base}/calendar?clientId=${clientId}&date=${local.slice(0, 10)}`);
    const entry = page.locator(`.cal-day[data-date="${local.slice(0, 10)}"] a.cal-entry`);
    await expect.poll(() => entry.textContent()).toContain('10:30');
    await expect.poll(() => page.locator('.cal-head').textContent()).toContain('Europe/Berlin');
    await screenshot(page, 'calendar-month');
    await entry.click();
    await page.waitForURL(`${base}/posts/${postId}`);

    // The pipeline lists it.
    await page.goto(`${base}/pipeline?clientId=${clientId}`);
    await expect.poll(() => page.locator('table.pipeline').textContent()).toContain('Fresh rye and spelt');
    await screenshot(page, 'pipeline');
  });

  it('runs a job from the System page', async () => {
    await page.goto(`${live.url}/system`);
    await page.locator('#job-maintenance button:has-text("Run now")').click();
    await expect.poll(() => page.locator('.notice-ok').textContent()).toContain('maintenance');
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('#job-maintenance .badge').first().textContent();
        },
        { timeout: 10_000 },
      )
      .toBe('ok');
    await screenshot(page, 'system');
  });

  it('shows the other pages without errors and signs out', async () => {
    for (const [path, name] of [
      ['/', 'dashboard'],
      ['/clients', 'clients'],
      ['/logs', 'logs'],
      ['/settings', 'settings'],
      ['/calendar?view=week', 'calendar-week'],
    ] as const) {
      await page.goto(`${live.url}${path}`);
      await screenshot(page, name);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${live.url}/`);
    await screenshot(page, 'dashboard-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/login/);
    await page.goto(`${live.url}/clients`);
    await page.waitForURL(/\/login\?next=%2Fclients/);
    expect(problems).toEqual([]);
  });
});
