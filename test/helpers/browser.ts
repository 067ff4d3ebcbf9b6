import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { appPath } from '../../src/paths.js';
import { makeHerald, type MakeHeraldOptions, type TestHerald } from './herald.js';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOTS = appPath('test-artifacts', 'screenshots');

/** Debian's chromium, headless, without the background traffic a closed network refuses. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as import('node:net').AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface LiveHerald extends TestHerald {
  url: string;
}

/**
 * The real server on a loopback port, PUBLIC_URL matching (so platform fakes can fetch its
 * media), with an admin to sign in as.
 */
export async function startLiveHerald(
  env: Record<string, string> = {},
  options: MakeHeraldOptions = {},
): Promise<LiveHerald> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t = await makeHerald(
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      ADMIN_EMAIL: 'admin@agency.test',
      ADMIN_PASSWORD: 'correct horse battery staple',
      ...env,
    },
    options,
  );
  await t.herald.start();
  return { ...t, url };
}

/** Collects console errors and page errors; tests assert the list stays empty. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`${page.url()}: ${err.message}`));
  page.on('dialog', (dialog) => {
    // Only our own confirm() prompts are expected; an alert means injected script ran.
    if (dialog.type() !== 'confirm') problems.push(`${page.url()}: unexpected ${dialog.type()} "${dialog.message()}"`);
    void dialog.accept();
  });
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', 'admin@agency.test');
  await page.fill('input[name=password]', 'correct horse battery staple');
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
}
