import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signIn, startLiveHerald, watchConsole, type LiveHerald } from '../helpers/browser.js';

// Strings that would run script, fire requests or navigate if any page rendered them as markup.
const PAYLOADS = [
  '<script>alert("xss-1")</script>',
  '<img src=x onerror=alert("xss-2")>',
  '<div hx-get="/logout" hx-trigger="load">xss-3</div>',
  '<button hx-on:click="alert(\'xss-4\')">xss-4</button>',
  '<a href="javascript:alert(\'xss-5\')">xss-5</a>',
  '"><svg onload=alert("xss-6")>',
  "'; alert('xss-7'); //",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder is the hostile text here
  '{{7*7}} ${alert("xss-8")}',
];
const ALL = PAYLOADS.join(' ');

describe('hostile text is shown literally everywhere', () => {
  let live: LiveHerald;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const paths: string[] = [];

  beforeAll(async () => {
    live = await startLiveHerald();
    const { services } = live.herald;
    services.settings.updateAgency({ agencyName: PAYLOADS[0] });
    const client = services.clients.create({
      name: PAYLOADS[1]!,
      timezone: 'Europe/Berlin',
      brandVoice: ALL,
      audience: PAYLOADS[2]!,
      approvalMode: 'admin',
    });
    const account = services.accounts.connect({
      clientId: client.id,
      platform: 'facebook',
      externalId: 'p1',
      name: PAYLOADS[3]!,
      username: PAYLOADS[4]!,
      accessToken: 't',
      scopes: [],
    });
    services.accounts.markNeedsReauth(account.id, PAYLOADS[5]!);
    const rule = services.rules.create(client.id, {
      name: PAYLOADS[6]!,
      cron: '0 9 * * *',
      accountIds: [account.id],
      topics: PAYLOADS,
      tone: PAYLOADS[7]!,
      instructions: ALL,
    });
    const when = new Date(Date.now() + 3 * 3_600_000).toISOString();
    const post = services.posts.create(
      { accountId: account.id, caption: ALL, scheduledAt: when, status: 'scheduled' },
      { kind: 'system' },
    );
    services.posts.act(post.id, 'reject', { kind: 'system' }, { comment: PAYLOADS[0] });
    const pending = services.posts.create(
      { accountId: account.id, caption: PAYLOADS[2]!, scheduledAt: when },
      { kind: 'system' },
    );
    services.posts.act(pending.id, 'submit', { kind: 'system' });
    await services.media.ingest(
      [Buffer.from(await (await import('../helpers/media-fixtures.js')).makeImage(100, 100))],
      { clientId: client.id, altText: PAYLOADS[1], originalName: PAYLOADS[4] },
    );
    paths.push(
      '/',
      '/clients',
      `/clients?q=${encodeURIComponent(PAYLOADS[1]!)}`,
      `/clients/${client.id}`,
      `/clients/${client.id}/edit`,
      `/rules/${rule.id}/edit`,
      '/pipeline',
      `/pipeline?clientId=${client.id}`,
      `/calendar?clientId=${client.id}`,
      `/calendar?clientId=${client.id}&view=week`,
      `/posts/${post.id}`,
      `/posts/${pending.id}`,
      `/posts/new?clientId=${client.id}`,
      `/groups/new?clientId=${client.id}`,
      '/logs',
      '/settings',
      '/system',
    );
    browser = await launchBrowser();
    page = await browser.newPage();
    problems = watchConsole(page);
    await signIn(page, live.url);
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('renders every page without running any of it', async () => {
    let seen = 0;
    for (const path of paths) {
      await page.goto(`${live.url}${path}`);
      await page.waitForLoadState('networkidle');
      const text = (await page.textContent('body')) ?? '';
      seen += PAYLOADS.filter((p) => text.includes(p)).length;
      // No element or attribute came from the payloads.
      expect(
        await page
          .locator('[onerror], [onload], svg[onload], [hx-on\\:click], [hx-trigger="load"], a[href^="javascript:"]')
          .count(),
      ).toBe(0);
      expect(await page.evaluate(() => document.querySelectorAll('script:not([src])').length)).toBe(0);
    }
    // The payloads were really on the pages, as text.
    expect(seen).toBeGreaterThan(PAYLOADS.length * 2);
    expect(page.url()).toMatch(live.url);
    // Still signed in: the hx-get="/logout" payload never fired.
    await page.goto(`${live.url}/`);
    expect(page.url()).toBe(`${live.url}/`);
    expect(problems).toEqual([]);
  });
});
