import type { CDPSession, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { MakeHeraldOptions } from './herald.js';
import { freePort, type LiveHerald, startLiveHerald } from './browser.js';

/**
 * Passkeys in a real Chromium: a virtual authenticator through the DevTools protocol's WebAuthn domain
 * (https://chromedevtools.github.io/devtools-protocol/tot/WebAuthn/), so the browser runs the real ceremony against
 * the real server — the page's script, navigator.credentials, the authenticator's signature and the server's checks.
 */

/**
 * The live server addressed as `localhost`: a WebAuthn relying party ID must be a domain, never an IP address
 * (https://www.w3.org/TR/webauthn-3/#relying-party-identifier), and localhost is a secure context over plain http.
 */
export async function startPasskeyHerald(
  env: Record<string, string> = {},
  options: MakeHeraldOptions = {},
): Promise<LiveHerald> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const live = await startLiveHerald({ PORT: String(port), PUBLIC_URL: url, ...env }, options);
  return { ...live, url };
}

export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  /** The credentials the authenticator holds (as the DevTools protocol reports them). */
  credentials(): Promise<Array<{ credentialId: string; isResidentCredential: boolean; rpId?: string }>>;
}

/**
 * A platform authenticator (like a laptop's fingerprint reader) on this page: resident keys, user verification that
 * always succeeds, and no prompt.
 */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return {
    cdp,
    authenticatorId,
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  };
}

export async function signInWithPassword(
  page: Page,
  base: string,
  who: { email: string; password: string },
  next = '/',
): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.click('form[action="/login"] button')]);
}

/** Registers a passkey called `name` on /account/security and waits until the page lists it. */
export async function registerPasskey(page: Page, base: string, name: string): Promise<void> {
  await page.goto(`${base}/account/security`);
  await page.fill('#passkey-name', name);
  await page.click('button[data-passkey="register"]');
  await expect.poll(() => page.locator(`[data-passkey-row="${name}"]`).count(), { timeout: 10_000 }).toBe(1);
}

/** The "Sign in with a passkey" button on /login: no e-mail typed, the authenticator offers its passkey. */
export async function signInWithPasskey(page: Page, base: string, next = '/'): Promise<void> {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await Promise.all([page.waitForURL(`${base}${next}`), page.click('button[data-passkey="signin"]')]);
}

/** The sign-out button in the top bar. */
export async function signOut(page: Page, base: string): Promise<void> {
  await Promise.all([page.waitForURL(`${base}/login`), page.click('header form[action="/logout"] button')]);
}
