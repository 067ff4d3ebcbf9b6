// Keyboard, screen reader and motion promises of the admin area in a real browser (docs/accessibility.md): the skip
// link and a visible focus ring, a form's errors tied to their fields and announced, a partial htmx swap announced,
// and no transitions for people who ask for reduced motion.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient } from '../helpers/herald.js';
import { launchBrowser, signIn, startLiveHerald, type LiveHerald, watchConsole } from '../helpers/browser.js';

let live: LiveHerald;
let browser: Browser;
let page: Page;
let problems: string[];
let clientId: string;

beforeAll(async () => {
  live = await startLiveHerald();
  clientId = seedClient(live).client.id;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  problems = watchConsole(page);
  await signIn(page, live.url);
}, 60_000);
afterAll(async () => {
  // The refused form's 422 is the one error the console may show.
  expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([]);
  await browser?.close();
  await live?.close();
});

/** The focused element's outline, as drawn. */
const ring = () =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    return {
      style: style.outlineStyle,
      width: Number.parseFloat(style.outlineWidth),
      top: el.getBoundingClientRect().top,
    };
  });

describe('keyboard', () => {
  it('reaches a visible skip link first, which moves past the navigation to the main content', async () => {
    await page.goto(`${live.url}/clients`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#main');
    const skip = await ring();
    expect(skip.style).toBe('solid');
    expect(skip.width).toBeGreaterThanOrEqual(2);
    expect(skip.top).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    // The next stop is inside main, not the navigation.
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('main')))).toBe(true);
    expect((await ring()).style).toBe('solid');
  });

  it('draws the focus ring on the navigation links too', async () => {
    await page.goto(`${live.url}/clients`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('nav')))).toBe(true);
    expect(await ring()).toMatchObject({ style: 'solid' });
  });
});

describe('screen reader', () => {
  it('ties a refused form field to its error, focuses it and announces how many need attention', async () => {
    await page.goto(`${live.url}/clients/new`);
    await page.fill('input[name=name]', 'Zone-less');
    await page.fill('input[name=timezone]', 'Not/AZone');
    await page.press('input[name=timezone]', 'Enter');
    await page.waitForSelector('input[name=timezone][aria-invalid=true]');
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'timezone');
    const described = await page.evaluate(() => {
      const id = document.activeElement?.getAttribute('aria-describedby') ?? '';
      return document.getElementById(id)?.textContent ?? null;
    });
    expect(described).toMatch(/zone/i);
    await page.waitForFunction(
      () => document.getElementById('announcer')?.textContent === 'One field needs attention.',
    );
  });

  it('after a partial swap (an account disabled in its row) keeps focus there and announces it', async () => {
    const account = live.herald.repos.accounts.listByClient(clientId).find((a) => a.platform === 'facebook')!;
    await page.goto(`${live.url}/clients/${clientId}`);
    await page.locator(`form[action="/accounts/${account.id}/disable"] button`).press('Enter');
    await page.waitForSelector(`form[action="/accounts/${account.id}/enable"]`);
    expect(live.herald.services.accounts.get(account.id).status).toBe('disabled');
    // The Disable button was replaced: focus goes to the new row's first control, not back to the top of the page.
    await page.waitForFunction((id) => document.activeElement?.closest('tr')?.id === `account-${id}`, account.id);
    await page.waitForFunction(
      (name) => document.getElementById('announcer')?.textContent === `${name}: disabled`,
      account.name,
    );
  });

  it('moves focus to the page heading after a boosted page change and announces its message', async () => {
    await page.goto(`${live.url}/clients/${clientId}/edit`);
    await page.press('input[name=name]', 'Enter');
    await page.waitForURL(`${live.url}/clients/${clientId}`);
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    await page.waitForFunction(() => (document.getElementById('announcer')?.textContent ?? '').length > 0);
  });
});

describe('motion', () => {
  /** How long a button's transitions run, plain and while busy (aria-busy: htmx requests and Pico's spinner). */
  const transitions = () =>
    page.evaluate(() => {
      const button = document.querySelector<HTMLElement>('main button')!;
      const seconds = () => Number.parseFloat(getComputedStyle(button).transitionDuration);
      button.removeAttribute('aria-busy');
      const plain = seconds();
      button.setAttribute('aria-busy', 'true');
      const busy = seconds();
      button.removeAttribute('aria-busy');
      return { plain, busy };
    });

  it('turns transitions off, on busy elements too, when the system asks for reduced motion', async () => {
    await page.goto(`${live.url}/clients/new`);
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    expect(await transitions()).toEqual({ plain: 0.2, busy: 0.2 });
    await page.emulateMedia({ reducedMotion: 'reduce' });
    // Pico's own rule leaves elements marked busy out; app.css's covers every element.
    const reduced = await transitions();
    expect(reduced.plain).toBeLessThan(0.001);
    expect(reduced.busy).toBeLessThan(0.001);
  });
});
