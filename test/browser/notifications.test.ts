// Settings → Notifications in a real browser against the real server and a local Slack fake: add
// a channel, send a test and watch it arrive; add a webhook and see its secret once; a channel that
// keeps failing is paused, the dashboard says so, and resuming it sends what it missed.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackWebhookFake } from '../fakes/slack-webhook.js';
import {
  launchBrowser,
  type LiveHerald,
  screenshot,
  signIn,
  startLiveHerald,
  watchConsole,
} from '../helpers/browser.js';

describe('Settings → Notifications in a real browser', () => {
  let live: LiveHerald;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const slack = new SlackWebhookFake();

  beforeAll(async () => {
    await slack.start();
    live = await startLiveHerald(
      { OUTBOUND_PRIVATE_HOSTS: '127.0.0.1' },
      {
        delivery: { pollMs: 100, backoffBaseMs: 50, backoffCapMs: 200, pauseAfterFailures: 3, pauseAfterMs: 0 },
      },
    );
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchConsole(page);
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
    await slack.stop();
  });

  it('adds a Slack channel, sends a test and sees it delivered, in the page and in Slack', async () => {
    const base = live.url;
    await signIn(page, base);
    await page.click('nav.mainnav >> text=Settings');
    await page.waitForURL(`${base}/settings`);
    await page.click('a:has-text("Chat channels, webhooks and the delivery log")');
    await page.waitForURL(`${base}/settings/notifications`);
    await page.locator('text=No channels yet.').waitFor({ state: 'visible' });

    await page.selectOption('select[name=kind]', 'slack');
    await page.fill('input[name=name]', '#social-ops');
    await page.fill('input[name=url]', slack.webhookUrl);
    await page.check('input[name=events][value="post.failed"]');
    await page.click('button:has-text("Add channel")');
    const row = page.locator('#channels tbody tr', { hasText: '#social-ops' });
    await expect.poll(() => row.textContent()).toContain('Post failed');

    await row.locator('button:has-text("Send a test")').click();
    await row.locator('.test-result[data-status="delivered"]').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await row.locator('.test-result').textContent()).toContain('Delivered (HTTP 200)');
    expect(slack.messages.map((m) => m.blocks[0].text.text)).toEqual(['Test notification from Herald']);
    await page.reload();
    await expect.poll(() => page.locator('#log tbody').textContent()).toContain('Test notification');
    await screenshot(page, 'notifications');
  });

  it('adds a webhook and shows its secret once', async () => {
    await page.selectOption('select[name=kind]', 'webhook');
    await page.fill('input[name=name]', 'Zapier');
    await page.fill('input[name=url]', `${slack.server.url}/zapier`);
    await page.click('button:has-text("Add channel")');
    const secret = await page.locator('#webhook-secret').inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    await page.reload();
    await page.locator('#channels tbody tr', { hasText: 'Zapier' }).waitFor({ state: 'visible' });
    expect(await page.locator('#webhook-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  });

  it('pauses a channel that keeps failing, shows it on the dashboard, and resumes it', async () => {
    const base = live.url;
    slack.fail({ status: 500, body: 'rollup_error', times: 100 });
    const row = page.locator('#channels tbody tr', { hasText: '#social-ops' });
    await row.locator('button:has-text("Send a test")').click();
    // Three failures in a row pause it; the row stops asking and says it was not delivered yet.
    await expect
      .poll(() => live.herald.services.channels.list().find((c) => c.name === '#social-ops')?.status, {
        timeout: 15_000,
      })
      .toBe('paused');

    await page.goto(`${base}/`);
    const notice = page.locator('#failing-channels');
    await expect.poll(() => notice.textContent()).toContain('#social-ops: paused');
    await screenshot(page, 'dashboard-channel-paused');
    await notice.locator('a:has-text("Settings → Notifications")').click();
    await page.waitForURL(`${base}/settings/notifications`);

    slack.recover();
    await page.locator('#channels tbody tr', { hasText: '#social-ops' }).locator('button:has-text("Resume")').click();
    await expect.poll(() => page.locator('.notice-ok').textContent()).toContain('resumed');
    // What it missed while paused (the test) goes out now.
    await expect.poll(() => slack.messages.length, { timeout: 15_000 }).toBe(2);
    // The receiver's answer is recorded a moment after it arrives (answers are written in groups).
    // Only this channel is checked: the webhook added above hears of every event (the pause too), and
    // its receiver was failing meanwhile.
    await expect
      .poll(async () => {
        await page.goto(`${base}/`);
        const notice = page.locator('#failing-channels');
        return (await notice.count()) === 0 ? '' : await notice.textContent();
      })
      .not.toContain('#social-ops');
    expect(problems).toEqual([]);
  });
});
