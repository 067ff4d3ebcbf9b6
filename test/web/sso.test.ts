import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { TestIdp } from '../fakes/oidc-idp.js';
import { makeHerald, TEST_ORIGIN, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// Admin single sign-on against a real OpenID Connect provider on a loopback port: the whole
// browser round trip (Herald → provider → Herald) with state, nonce and PKCE checked for real.

const CLIENT = {
  clientId: 'herald-admin',
  clientSecret: 'idp-client-secret',
  redirectUri: `${TEST_ORIGIN}/auth/oidc/callback`,
};
const isCallback = (url: string) => url.startsWith(`${TEST_ORIGIN}/auth/oidc/callback`);

let idp: TestIdp;
let t: TestHerald;
let clock: ManualClock;
let aliceId: string;

beforeAll(async () => {
  idp = new TestIdp(CLIENT);
  await idp.start();
  idp.users.set('u-alice', { email: 'Alice@Agency.test', emailVerified: true, name: 'Alice' });
  idp.users.set('u-mallory', { email: 'mallory@elsewhere.test', emailVerified: true });
  idp.users.set('u-unverified', { email: 'bob@agency.test', emailVerified: false });
  idp.users.set('u-noemail', {});
  clock = new ManualClock(Date.now());
  t = await makeHerald(
    { OIDC_ISSUER: idp.url, OIDC_CLIENT_ID: CLIENT.clientId, OIDC_CLIENT_SECRET: CLIENT.clientSecret },
    { clock },
  );
  aliceId = (
    await t.herald.services.auth.createAdmin({
      email: 'alice@agency.test',
      password: 'alice has a password',
      name: 'Alice',
    })
  ).id;
  await t.herald.services.auth.createAdmin({
    email: 'bob@agency.test',
    password: 'bob has a password too',
    name: 'Bob',
  });
});

afterAll(async () => {
  await t?.close();
  await idp?.stop();
});

/** Signs in through the provider as `user`; returns the final answer and where it came from. */
async function signIn(user: string | null, next = '/') {
  idp.signInAs = user;
  const browser = new PageClient(t.herald.app);
  const end = await browser.follow(`/auth/oidc/start?next=${encodeURIComponent(next)}`);
  return { browser, ...end, html: await end.res.text() };
}

const admin = (id: string) => t.herald.repos.auth.getAdmin(id)!;

describe('admin single sign-on', () => {
  it('offers the button on the sign-in page', async () => {
    const { html } = await new PageClient(t.herald.app).get('/login?next=/clients');
    expect(html).toContain('href="/auth/oidc/start?next=%2Fclients"');
  });

  it('signs in an existing admin by verified email, links the identity, and lands on `next`', async () => {
    const { res, url, browser } = await signIn('u-alice', '/clients?status=active');
    expect(res.status).toBe(200);
    expect(url).toBe(`${TEST_ORIGIN}/clients?status=active`);
    expect(admin(aliceId).oidcSubject).toBe(`${idp.url} u-alice`);
    expect(admin(aliceId).lastLoginAt).toBe(clock.now());
    // A real admin session: the dashboard opens, and the flow's cookie is gone.
    expect((await browser.get('/')).res.status).toBe(200);
    expect([...browser.cookies.keys()]).toContain('herald_session');
    expect([...browser.cookies.keys()]).not.toContain('herald_sso');
    expect((await browser.get('/team')).html).toMatch(/alice@agency\.test.*?single sign-on/s);
  });

  it('from then on matches the identity, even after the email changed at the provider', async () => {
    idp.users.set('u-alice', { email: 'alice.new@agency.test', emailVerified: true });
    try {
      const { res, url } = await signIn('u-alice');
      expect(res.status).toBe(200);
      expect(url).toBe(`${TEST_ORIGIN}/`);
    } finally {
      idp.users.set('u-alice', { email: 'Alice@Agency.test', emailVerified: true });
    }
  });

  it.each([
    ['an email no admin has', 'u-mallory', 'No Herald admin has the email mallory@elsewhere.test'],
    ['an email the provider has not verified', 'u-unverified', 'has not verified bob@agency.test'],
    ['no email at all', 'u-noemail', 'did not share an email address'],
  ])('refuses %s, with the reason on the sign-in page and no session', async (_what, user, message) => {
    const { res, html, browser } = await signIn(user);
    expect(res.status).toBe(401);
    expect(html).toContain(message);
    expect(browser.cookies.has('herald_session')).toBe(false);
    expect((await browser.request('/')).status).toBe(303);
  });

  it('counts as two factors: under "Require two factors for everyone" no second step, no enrolment', async () => {
    // Alice has neither an app nor a passkey: a password alone would be sent to enrol one.
    t.herald.repos.system.putSetting('require_mfa', 'on', clock.now());
    try {
      const { res, url, browser } = await signIn('u-alice', '/clients');
      expect(res.status).toBe(200);
      expect(url).toBe(`${TEST_ORIGIN}/clients`);
      expect((await browser.request('/')).status).toBe(200);
      const [session] = t.herald.repos.auth.sessionsOfAdmin(aliceId);
      expect(session).toMatchObject({ authMethod: 'sso', mfaPending: false });
      const entry = t.herald.database
        .stmt("SELECT actor_label AS actorLabel, summary FROM audit_log WHERE kind = 'signin.ok' ORDER BY id DESC")
        .get();
      expect(entry).toEqual({ actorLabel: 'alice@agency.test', summary: 'Signed in (sso)' });
    } finally {
      t.herald.repos.system.deleteSetting('require_mfa');
    }
  });

  it('says so when the person cancels at the provider', async () => {
    const { res, html } = await signIn(null);
    expect(res.status).toBe(401);
    expect(html).toContain('did not sign you in (The user cancelled the sign-in)');
  });

  it('does not link an admin already linked to another identity', async () => {
    idp.users.set('u-alice-2', { email: 'alice@agency.test', emailVerified: true });
    const { res, html } = await signIn('u-alice-2');
    expect(res.status).toBe(401);
    expect(html).toContain('is linked to another sign-on identity');
    expect(admin(aliceId).oidcSubject).toBe(`${idp.url} u-alice`);
  });

  it('a callback works once, only in the browser that started it (no login CSRF)', async () => {
    idp.signInAs = 'u-alice';
    const browser = new PageClient(t.herald.app);
    const { url: callback } = await browser.follow('/auth/oidc/start', { stopBefore: isCallback });
    expect(isCallback(callback)).toBe(true);
    // Another browser (an attacker who sends the victim their own callback link) gets nothing.
    const other = new PageClient(t.herald.app);
    const planted = await other.request(callback);
    expect(planted.status).toBe(401);
    expect(await planted.text()).toContain('was not started in this browser');
    expect(other.cookies.has('herald_session')).toBe(false);
    // The right browser signs in; replaying the same callback there is refused.
    expect((await browser.request(callback)).status).toBe(302);
    const replay = await new PageClient(t.herald.app).request(callback);
    expect(replay.status).toBe(401);
  });

  it('refuses an answer whose state does not match the one this browser was given', async () => {
    idp.signInAs = 'u-alice';
    const browser = new PageClient(t.herald.app);
    const { url: callback } = await browser.follow('/auth/oidc/start', { stopBefore: isCallback });
    const tampered = new URL(callback);
    tampered.searchParams.set('state', 'not-the-state');
    const res = await browser.request(tampered.href);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('was not accepted');
    expect(browser.cookies.has('herald_session')).toBe(false);
  });

  it('refuses an answer that comes back after ten minutes', async () => {
    idp.signInAs = 'u-alice';
    const browser = new PageClient(t.herald.app);
    const { url: callback } = await browser.follow('/auth/oidc/start', { stopBefore: isCallback });
    clock.advance(10 * 60_000 + 1);
    const res = await browser.request(callback);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('took longer than 10 minutes');
  });

  it('never sends the browser off-site after signing in', async () => {
    const { url } = await signIn('u-alice', '//evil.example/path');
    expect(url).toBe(`${TEST_ORIGIN}/`);
  });
});

describe('single sign-on when the provider cannot be reached', () => {
  let down: TestHerald;
  beforeAll(async () => {
    // A port nothing listens on: the provider the operator configured is down.
    const gone = new TestIdp(CLIENT);
    const url = await gone.start();
    await gone.stop();
    down = await makeHerald({ OIDC_ISSUER: url, OIDC_CLIENT_ID: CLIENT.clientId });
  });
  afterAll(() => down?.close());

  it('answers the sign-in page with the reason and 503, and sets nothing', async () => {
    const browser = new PageClient(down.herald.app);
    const res = await browser.request('/auth/oidc/start');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('The sign-on provider cannot be reached right now');
    expect(browser.cookies.size).toBe(0);
  });
});

describe('without OIDC_ISSUER', () => {
  let plain: TestHerald;
  beforeAll(async () => {
    plain = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'a very good password' });
    await plain.herald.services.auth.ensureConfiguredAdmin();
  });
  afterAll(() => plain?.close());

  it('has no button and no route', async () => {
    const browser = new PageClient(plain.herald.app);
    expect((await browser.get('/login')).html).not.toContain('/auth/oidc/start');
    expect((await browser.request('/auth/oidc/start')).status).toBe(404);
    expect((await browser.request('/auth/oidc/callback?code=x&state=y')).status).toBe(404);
  });
});
