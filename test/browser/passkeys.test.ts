import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type LiveHerald, screenshot, watchConsole } from '../helpers/browser.js';
import {
  addVirtualAuthenticator,
  registerPasskey,
  signInWithPasskey,
  signInWithPassword,
  signOut,
  startPasskeyHerald,
  type VirtualAuthenticator,
} from '../helpers/passkeys.js';

// Passkeys in a real Chromium with a virtual authenticator (DevTools protocol): the page's script asks the server for
// options, the browser and the authenticator make and sign real credentials, and the server verifies them with
// @simplewebauthn/server. Nothing is stubbed between the button and the database.

const OWNER = { email: 'admin@agency.test', password: 'correct horse battery staple' };

describe('passkeys in a real browser', () => {
  let live: LiveHerald;
  let browser: Browser;
  let page: Page;
  let authenticator: VirtualAuthenticator;
  let problems: string[];

  const sessionsOfOwner = () => {
    const owner = live.herald.repos.auth.adminByEmail(OWNER.email)!;
    return live.herald.repos.auth.sessionsOfAdmin(owner.id);
  };
  const lastAudit = (kind: string) =>
    live.herald.database
      .stmt('SELECT actor_label AS actorLabel, summary, ip FROM audit_log WHERE kind = ? ORDER BY id DESC')
      .get(kind) as { actorLabel: string; summary: string; ip: string } | undefined;

  beforeAll(async () => {
    live = await startPasskeyHerald();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchConsole(page);
    authenticator = await addVirtualAuthenticator(page);
  });
  afterAll(async () => {
    await browser?.close();
    await live?.close();
  });

  it('registers a passkey on the security page (a discoverable credential for this site)', async () => {
    await signInWithPassword(page, live.url, OWNER);
    await registerPasskey(page, live.url, 'Work laptop');
    await screenshot(page, 'account-security-passkey');

    const held = await authenticator.credentials();
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    const owner = live.herald.repos.auth.adminByEmail(OWNER.email)!;
    const [stored] = live.herald.repos.passkeys.ofAdmin(owner.id);
    // The authenticator's credential id (base64) is the stored one (base64url).
    expect(Buffer.from(stored!.id, 'base64url').toString('base64')).toBe(held[0]!.credentialId);
    expect(stored).toMatchObject({ name: 'Work laptop', adminId: owner.id });
    expect(lastAudit('mfa.passkey_add')).toMatchObject({
      actorLabel: OWNER.email,
      summary: 'Added the passkey "Work laptop"',
    });
  });

  it('signs out, then signs in with the passkey alone (first factor, no e-mail typed)', async () => {
    await signOut(page, live.url);
    await signInWithPasskey(page, live.url, '/clients');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Clients');

    const [latest] = sessionsOfOwner().sort((a, b) => b.createdAt - a.createdAt);
    expect(latest).toMatchObject({ authMethod: 'passkey', mfaPending: false, ip: '127.0.0.1' });
    expect(latest!.userAgent).toContain('Chrome');
    expect(lastAudit('signin.ok')).toMatchObject({
      actorLabel: OWNER.email,
      summary: 'Signed in (passkey)',
      ip: '127.0.0.1',
    });
    const owner = live.herald.repos.auth.adminByEmail(OWNER.email)!;
    expect(live.herald.repos.passkeys.ofAdmin(owner.id)[0]!.lastUsedAt).not.toBeNull();

    await page.goto(`${live.url}/account/sessions`);
    const current = page.locator('tr[data-session="current"]');
    await expect.poll(() => current.textContent()).toMatch(/Chrome on Linux \(this browser\)127\.0\.0\.1Passkey/);
  });

  it('refuses an answer whose signature was altered on the way', async () => {
    await signOut(page, live.url);
    const answer = await page.evaluate(async () => {
      const post = (url: string, body: unknown) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const lib = (window as unknown as { SimpleWebAuthnBrowser: typeof import('@simplewebauthn/browser') })
        .SimpleWebAuthnBrowser;
      const optionsJSON = await (await post('/login/passkey/options', {})).json();
      const response = await lib.startAuthentication({ optionsJSON });
      const signature = response.response.signature;
      const tail = signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA';
      response.response.signature = signature.slice(0, -4) + tail;
      const res = await post('/login/passkey', { response, next: '/' });
      return { status: res.status, body: (await res.json()) as { error?: string } };
    });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toContain('The passkey was not accepted');
    expect(lastAudit('signin.fail')).toMatchObject({
      actorLabel: OWNER.email,
      summary: 'A passkey that did not verify',
    });
    // The page is still signed out; the untouched passkey signs in.
    await signInWithPasskey(page, live.url);
  });

  it('after a right password, asks for the second step and takes the passkey there', async () => {
    await signOut(page, live.url);
    await signInWithPassword(page, live.url, OWNER, '/calendar');
    expect(new URL(page.url()).pathname).toBe('/login/verify');
    await screenshot(page, 'login-verify');
    // Nothing else opens before the second step.
    await page.goto(`${live.url}/clients`);
    expect(new URL(page.url()).pathname).toBe('/login/verify');

    await page.goto(`${live.url}/login/verify?next=%2Fcalendar`);
    await Promise.all([page.waitForURL(`${live.url}/calendar`), page.click('button[data-passkey="verify"]')]);
    const [latest] = sessionsOfOwner().sort((a, b) => b.createdAt - a.createdAt);
    expect(latest).toMatchObject({ authMethod: 'password+passkey', mfaPending: false });
    expect(lastAudit('signin.ok')).toMatchObject({ summary: 'Signed in (password+passkey)' });
  });

  it('refuses a passkey that was removed, with the reason next to the button', async () => {
    await page.goto(`${live.url}/account/security`);
    await page.click('[data-passkey-row="Work laptop"] button:has-text("Remove")');
    await expect.poll(() => page.locator('[data-passkey-row]').count()).toBe(0);
    expect(lastAudit('mfa.passkey_remove')).toMatchObject({ summary: 'Removed the passkey "Work laptop"' });

    await signOut(page, live.url);
    // The authenticator still holds the credential; Herald no longer knows it.
    await page.goto(`${live.url}/login`);
    await page.click('button[data-passkey="signin"]');
    await expect
      .poll(() => page.locator('#passkey-error-signin').textContent())
      .toContain('not registered with Herald');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(lastAudit('signin.fail')).toMatchObject({ actorLabel: '(unknown passkey)' });
    // A password alone signs in again: no second factor is left.
    await signInWithPassword(page, live.url, OWNER);
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it("ran without console errors or CSP violations (but the two refused passkeys' 401s)", () => {
    const refusal = /\/login: Failed to load resource: the server responded with a status of 401/;
    expect(problems.filter((p) => !refusal.test(p))).toEqual([]);
    expect(problems.filter((p) => refusal.test(p))).toHaveLength(2);
  });
});
