import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { makeHerald, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// TOTP as a second factor, end to end through the real app and a real SQLite file, with a clock the test moves:
// enrolment (QR + key, confirmed by a code), the second step of a password sign-in, recovery codes, the owner's
// "Require two factors for everyone", the member's sessions, and the audit trail of it all.

const OWNER = { email: 'owner@agency.test', password: 'correct horse battery staple' };
const EDITOR = { email: 'editor@agency.test', password: 'an editor with a password' };
const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

let t: TestHerald;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock(Date.parse('2026-11-30T10:00:05Z'));
  t = await makeHerald({ ADMIN_EMAIL: OWNER.email, ADMIN_PASSWORD: OWNER.password }, { clock });
  await t.herald.services.auth.ensureConfiguredAdmin();
  await t.herald.services.auth.createAdmin({ ...EDITOR, role: 'editor' });
});

afterAll(async () => {
  await t?.close();
});

interface AuditLine {
  kind: string;
  actorKind: string;
  actorLabel: string;
  summary: string;
  ip: string | null;
}
function audit(kind: string): AuditLine[] {
  return t.herald.database
    .stmt(
      `SELECT kind, actor_kind AS actorKind, actor_label AS actorLabel, summary, ip
       FROM audit_log WHERE kind = ? ORDER BY id`,
    )
    .all(kind) as AuditLine[];
}

/** The code an authenticator app holding `key` shows at `at` (default: the test clock's now). */
function codeFor(key: string, at = clock.now()): string {
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(key),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  }).generate({ timestamp: at });
}

/** A browser that signed in with a password; `location` is where the sign-in sent it. */
async function passwordSignIn(who: { email: string; password: string }, next = '/') {
  const browser = new PageClient(t.herald.app);
  await browser.get('/login');
  const res = await browser.post('/login', { email: who.email, password: who.password, next });
  return { browser, res, location: res.headers.get('location') };
}

/** Enrols the member signed in on `browser`: returns the key and the recovery codes. */
async function enrol(browser: PageClient): Promise<{ key: string; codes: string[] }> {
  await browser.get('/account/security');
  const started = await browser.post('/account/security/totp', {});
  const html = await started.text();
  expect(started.status).toBe(200);
  expect(html).toMatch(/<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
  const key = /data-totp-key="?[^>]*>([A-Z2-7]+)</.exec(html)![1]!;
  const confirmed = await browser.post('/account/security/totp/confirm', { code: codeFor(key) });
  const page = await confirmed.text();
  expect(confirmed.status).toBe(200);
  const codes = /<pre data-recovery-codes="?[^>]*>([^<]+)<\/pre>/.exec(page)![1]!.trim().split('\n');
  return { key, codes };
}

describe('TOTP', () => {
  let key: string;
  let codes: string[];

  it('enrols with a QR code and a key; refuses a wrong code; a right one turns it on, 10 recovery codes', async () => {
    const { browser } = await passwordSignIn(OWNER);
    await browser.get('/account/security');
    const started = await browser.post('/account/security/totp', {});
    const html = await started.text();
    key = /data-totp-key="?[^>]*>([A-Z2-7]+)</.exec(html)![1]!;
    // The QR code holds the otpauth:// URI of this key: decoded from the SVG would need a reader; the URI is shown.
    expect(html).toContain('QR code for your authenticator app');

    const wrong = String((Number(codeFor(key)) + 1) % 1_000_000).padStart(6, '0');
    const refused = await browser.post('/account/security/totp/confirm', { code: wrong });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('is not the code the app shows now');
    expect(t.herald.repos.auth.adminByEmail(OWNER.email)!.totpEnabledAt).toBeNull();

    const confirmed = await browser.post('/account/security/totp/confirm', { code: codeFor(key) });
    const page = await confirmed.text();
    expect(confirmed.status).toBe(200);
    codes = /<pre data-recovery-codes="?[^>]*>([^<]+)<\/pre>/.exec(page)![1]!.trim().split('\n');
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const owner = t.herald.repos.auth.adminByEmail(OWNER.email)!;
    expect(owner.totpEnabledAt).toBe(clock.now());
    // The secret is sealed at rest, the codes kept as hashes.
    expect(owner.totpSecret).not.toContain(key);
    expect(owner.recoveryCodes!.some((h) => codes.includes(h))).toBe(false);
    expect(audit('mfa.totp_enable')).toEqual([expect.objectContaining({ actorLabel: OWNER.email })]);
  });

  it('a right password opens only the second step; other pages send the browser there', async () => {
    clock.advance(60_000);
    const { browser, location } = await passwordSignIn(OWNER, '/clients');
    expect(location).toBe('/login/verify?next=%2Fclients');
    for (const path of ['/', '/clients', '/account/security', '/account/sessions', '/settings']) {
      const res = await browser.request(path);
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/login/verify']);
    }
    // The API ignores cookies altogether; the pending session is not a session for a page either.
    expect((await browser.request('/login')).headers.get('location')).toBe('/login/verify?next=%2F');
    const { res, html } = await browser.get('/login/verify?next=%2Fclients');
    expect(res.status).toBe(200);
    expect(html).toContain('name="code"');
    expect(audit('signin.ok').filter((a) => a.summary.includes('password+totp'))).toHaveLength(0);
  });

  it('takes the code of the step before (drift), not two steps away, never the same code twice', async () => {
    clock.advance(60_000);
    const { browser } = await passwordSignIn(OWNER, '/clients');
    await browser.get('/login/verify');
    const tooOld = await browser.post('/login/verify', { code: codeFor(key, clock.now() - 60_000), next: '/clients' });
    expect(tooOld.status).toBe(401);
    expect(await tooOld.text()).toContain('That code did not work');

    const previous = codeFor(key, clock.now() - 30_000);
    const ok = await browser.post('/login/verify', { code: previous, next: '/clients' });
    expect([ok.status, ok.headers.get('location')]).toEqual([303, '/clients']);
    expect((await browser.request('/clients')).status).toBe(200);

    // The same code on another browser a moment later: already spent.
    const other = await passwordSignIn(OWNER);
    await other.browser.get('/login/verify');
    const replay = await other.browser.post('/login/verify', { code: previous });
    expect(replay.status).toBe(401);

    const signedIn = audit('signin.ok').filter((a) => a.summary.includes('password+totp'));
    expect(signedIn).toEqual([expect.objectContaining({ actorKind: 'admin', actorLabel: OWNER.email })]);
    expect(audit('signin.fail').filter((a) => a.summary === 'Wrong second-factor code')).toHaveLength(2);
  });

  it('takes a recovery code once, in any case and with or without its dash', async () => {
    clock.advance(60_000);
    const first = await passwordSignIn(OWNER);
    await first.browser.get('/login/verify');
    const typed = ` ${codes[0]!.toUpperCase().replace('-', ' ')} `;
    const ok = await first.browser.post('/login/verify', { code: typed });
    expect([ok.status, ok.headers.get('location')]).toEqual([303, '/']);
    expect(t.herald.repos.auth.adminByEmail(OWNER.email)!.recoveryCodes).toHaveLength(9);

    const again = await passwordSignIn(OWNER);
    await again.browser.get('/login/verify');
    expect((await again.browser.post('/login/verify', { code: codes[0]! })).status).toBe(401);
  });

  it('lets a right password wait ten minutes for its second step, not more', async () => {
    const { browser } = await passwordSignIn(OWNER);
    clock.advance(9 * 60_000);
    expect((await browser.request('/login/verify')).status).toBe(200);
    clock.advance(2 * 60_000);
    expect((await browser.request('/login/verify')).headers.get('location')).toBe('/login?next=%2F');
  });

  it('ends the half-open sign-in after five wrong codes: the password is needed again', async () => {
    const { browser } = await passwordSignIn(OWNER);
    await browser.get('/login/verify');
    for (let i = 0; i < 4; i++) expect((await browser.post('/login/verify', { code: '000000' })).status).toBe(401);
    const fifth = await browser.post('/login/verify', { code: '000000' });
    expect(fifth.status).toBe(401);
    expect(await fifth.text()).toContain('Too many wrong codes');
    expect((await browser.request('/login/verify')).headers.get('location')).toBe('/login?next=%2F');
  });

  it('holds the second step for 15 minutes after ten wrong codes across sign-ins, even the right code', async () => {
    // Five wrong codes above; five more over two fresh sign-ins reach the member's limit.
    for (const tries of [3, 2]) {
      const { browser } = await passwordSignIn(OWNER);
      await browser.get('/login/verify');
      for (let i = 0; i < tries; i++) await browser.post('/login/verify', { code: '000000' });
    }
    const { browser } = await passwordSignIn(OWNER);
    await browser.get('/login/verify');
    const held = await browser.post('/login/verify', { code: codeFor(key) });
    expect(held.status).toBe(401);
    expect(await held.text()).toContain('Too many wrong codes for this account. Try again in 15 minutes.');
    clock.advance(15 * 60_000 + 1);
    const fresh = await passwordSignIn(OWNER);
    await fresh.browser.get('/login/verify');
    expect((await fresh.browser.post('/login/verify', { code: codeFor(key) })).status).toBe(303);
  });

  it('makes new recovery codes (the old ones stop working) and removes the app with a current code', async () => {
    clock.advance(60_000);
    const { browser } = await passwordSignIn(OWNER);
    await browser.get('/login/verify');
    await browser.post('/login/verify', { code: codeFor(key) });
    await browser.get('/account/security');
    const regenerated = await (await browser.post('/account/security/recovery-codes', {})).text();
    const fresh = /<pre data-recovery-codes="?[^>]*>([^<]+)<\/pre>/.exec(regenerated)![1]!.trim().split('\n');
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[1]);
    expect(audit('mfa.recovery_regenerate')).toHaveLength(1);

    expect((await browser.post('/account/security/totp/disable', { disableCode: '123456' })).status).toBe(422);
    clock.advance(30_000);
    const removed = await browser.post('/account/security/totp/disable', { disableCode: codeFor(key) });
    expect(removed.status).toBe(303);
    const owner = t.herald.repos.auth.adminByEmail(OWNER.email)!;
    expect([owner.totpEnabledAt, owner.totpSecret, owner.recoveryCodes]).toEqual([null, null, null]);
    expect(audit('mfa.totp_disable')).toHaveLength(1);
    // A password alone signs in again.
    expect((await passwordSignIn(OWNER)).location).toBe('/');
  });
});

describe('Require two factors for everyone', () => {
  it('only an owner may turn it on; then a member without a second factor reaches only the security page', async () => {
    const editor = await passwordSignIn(EDITOR);
    expect(editor.location).toBe('/');
    await editor.browser.get('/account/security');
    expect((await editor.browser.post('/settings/require-mfa', { requireMfa: 'on' })).status).toBe(403);
    expect(t.herald.services.twoFactor.requireMfa()).toBe(false);

    const owner = await passwordSignIn(OWNER);
    const settings = await owner.browser.get('/settings');
    expect(settings.html).toContain('Require two factors for everyone');
    // Not before the owner has a second factor: the rule would lock them out at once.
    await owner.browser.post('/settings/require-mfa', { requireMfa: 'on' });
    expect(t.herald.services.twoFactor.requireMfa()).toBe(false);
    expect((await owner.browser.get('/settings')).html).toContain('to your own account first');
    const ownerKey = (await enrol(owner.browser)).key;
    expect((await owner.browser.post('/settings/require-mfa', { requireMfa: 'on' })).status).toBe(303);
    expect(t.herald.services.twoFactor.requireMfa()).toBe(true);
    expect(audit('settings.update').at(-1)).toMatchObject({ actorLabel: OWNER.email });

    for (const path of ['/', '/clients', '/account/sessions']) {
      const res = await editor.browser.request(path);
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 303, '/account/security']);
    }
    const page = await editor.browser.get('/account/security');
    expect(page.res.status).toBe(200);
    expect(page.html).toContain('Two factors are required for everyone');

    await enrol(editor.browser);
    expect((await editor.browser.request('/')).status).toBe(200);
    const next = await passwordSignIn(EDITOR);
    expect(next.location).toBe('/login/verify?next=%2F');

    await owner.browser.post('/settings/require-mfa', {});
    expect(t.herald.services.twoFactor.requireMfa()).toBe(false);
    // Both have an app now; the sessions tests below sign in with passwords alone.
    clock.advance(30_000);
    await owner.browser.post('/account/security/totp/disable', { disableCode: codeFor(ownerKey) });
    await t.herald.database
      .stmt('UPDATE admins SET totp_enabled_at = NULL, totp_secret = NULL WHERE email = ?')
      .run(EDITOR.email);
  });
});

describe('Sessions', () => {
  it('lists each browser with its device, address and sign-in method; signs out one, then every other', async () => {
    const browsers: PageClient[] = [];
    for (let i = 0; i < 3; i++) {
      const browser = new PageClient(t.herald.app);
      await browser.get('/login');
      const res = await browser.request('/login', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://herald.test',
          'user-agent': BROWSER_UA,
        },
        body: new URLSearchParams({ email: OWNER.email, password: OWNER.password, next: '/' }),
      });
      expect(res.status).toBe(303);
      await browser.get('/');
      browsers.push(browser);
    }
    const [me, second, third] = browsers as [PageClient, PageClient, PageClient];
    const { html } = await me.get('/account/sessions');
    expect(html).toContain('Chrome on Linux');
    // In-process requests have no socket: the address column says so (the browser test sees 127.0.0.1).
    expect(html).toContain('<td>unknown</td>');
    expect(html).toContain('(this browser)');
    const ids = [...html.matchAll(/action="\/account\/sessions\/([0-9a-f]{64})\/revoke"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThanOrEqual(2);

    const secondId = t.herald.repos.auth
      .sessionsOfAdmin(t.herald.repos.auth.adminByEmail(OWNER.email)!.id)
      .find((s) => s.csrfToken === second.csrf)!.idHash;
    expect((await me.post(`/account/sessions/${secondId}/revoke`, {})).status).toBe(303);
    expect((await second.request('/')).headers.get('location')).toBe('/login?next=%2F');
    expect((await third.request('/')).status).toBe(200);

    // Someone else's session is not found among yours.
    const editor = await passwordSignIn(EDITOR);
    const editorSession = t.herald.repos.auth.sessionsOfAdmin(t.herald.repos.auth.adminByEmail(EDITOR.email)!.id)[0]!;
    expect((await me.post(`/account/sessions/${editorSession.idHash}/revoke`, {})).status).toBe(404);
    expect(editor.browser).toBeDefined();

    expect((await me.post('/account/sessions/revoke-others', {})).status).toBe(303);
    expect((await third.request('/')).headers.get('location')).toBe('/login?next=%2F');
    expect((await me.request('/')).status).toBe(200);
    expect(audit('session.revoke').map((a) => a.summary)).toEqual([
      expect.stringContaining('Signed out a session (Chrome on Linux'),
      expect.stringMatching(/^Signed out everywhere else \(\d+ sessions?\)$/),
    ]);
  });

  it('records sign-outs, and a wrong password as an anonymous failure naming the e-mail tried', async () => {
    const { browser } = await passwordSignIn(OWNER);
    await browser.get('/');
    await browser.post('/logout', {});
    expect(audit('signout').at(-1)).toMatchObject({ actorKind: 'admin', actorLabel: OWNER.email });

    const stranger = new PageClient(t.herald.app);
    await stranger.get('/login');
    expect((await stranger.post('/login', { email: 'Nobody@Agency.test', password: 'guessing' })).status).toBe(401);
    expect(audit('signin.fail').at(-1)).toMatchObject({
      actorKind: 'anonymous',
      actorLabel: 'nobody@agency.test',
      ip: 'unknown',
    });
  });
});

describe('an authenticator app set up but never confirmed', () => {
  it('is no second factor: its codes do not finish a sign-in', async () => {
    const who = { email: 'half@agency.test', password: 'a long enough password' };
    const member = await t.herald.services.auth.createAdmin({ ...who, role: 'editor' });
    // A passkey makes a password sign-in ask for the second step (a stored row is enough for that).
    t.herald.repos.passkeys.insert({
      id: 'cred-half',
      adminId: member.id,
      publicKey: 'AQID',
      counter: 0,
      transports: ['internal'],
      deviceType: 'singleDevice',
      backedUp: false,
      name: 'Laptop',
      createdAt: clock.now(),
      lastUsedAt: null,
    });
    // The app's key was shown (enrolment started), and the member never confirmed it.
    const { key } = await t.herald.services.twoFactor.startTotp({
      kind: 'admin',
      id: member.id,
      email: member.email,
      access: { role: 'editor', clientIds: [] },
    });
    expect(t.herald.repos.auth.getAdmin(member.id)).toMatchObject({ totpEnabledAt: null });
    clock.advance(60_000);
    const { browser, location } = await passwordSignIn(who);
    expect(location).toBe('/login/verify?next=%2F');
    await browser.get('/login/verify');
    const tried = await browser.post('/login/verify', { code: codeFor(key) });
    expect(tried.status).toBe(401);
    expect((await browser.request('/')).headers.get('location')).toBe('/login/verify');
  });
});
