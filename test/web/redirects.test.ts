import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../../src/http/safe-next.js';
import { TestIdp } from '../fakes/oidc-idp.js';
import { makeHerald, TEST_ORIGIN, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// Every redirect whose target comes from a request (`next=` on sign-in, on single sign-on, and
// the way back to a page that needed a session) must land on Herald. Each hostile form goes
// through the real app; the answer's Location is resolved as a browser resolves it.

const HOSTILE = [
  '//evil.example',
  '//evil.example/x',
  '///evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '\\\\evil.example',
  '/\\/evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  ' //evil.example',
  'https://evil.example',
  'https:/evil.example',
  'http:evil.example',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'evil.example',
  '/.//evil.example',
  '/a/..//evil.example',
  '/..//evil.example',
  '/%2e//evil.example',
  '/.%2e//evil.example',
  '/%2e%2e//evil.example',
  '/./\\evil.example',
  '/%5c%5cevil.example',
  '/%2F%2Fevil.example',
  '%2f%2fevil.example',
  '/%09/evil.example',
  '//herald.test@evil.example',
  '/\\@evil.example',
  '//%65vil.example',
];

const GOOD = [
  ['/clients?x=1', '/clients?x=1'],
  ['/pipeline?status=failed#top', '/pipeline?status=failed#top'],
  ['/clients/cli_1/edit', '/clients/cli_1/edit'],
  ['/a/../clients', '/clients'],
] as const;

const ORIGIN = new URL(TEST_ORIGIN).origin;
const PASSWORD = 'a very good password';

/** Where a browser goes with this Location header. */
function landing(location: string | null): URL {
  expect(location).not.toBeNull();
  expect(location).not.toMatch(/[\r\n\t]/);
  return new URL(location!, TEST_ORIGIN);
}

function expectOnHerald(location: string | null): void {
  expect(landing(location).origin).toBe(ORIGIN);
}

const CLIENT = {
  clientId: 'herald-admin',
  clientSecret: 'idp-client-secret',
  redirectUri: `${TEST_ORIGIN}/auth/oidc/callback`,
};
let idp: TestIdp;
let t: TestHerald;

beforeAll(async () => {
  idp = new TestIdp(CLIENT);
  await idp.start();
  idp.users.set('u-admin', { email: 'admin@agency.com', emailVerified: true });
  t = await makeHerald({
    ADMIN_EMAIL: 'admin@agency.com',
    ADMIN_PASSWORD: PASSWORD,
    OIDC_ISSUER: idp.url,
    OIDC_CLIENT_ID: CLIENT.clientId,
    OIDC_CLIENT_SECRET: CLIENT.clientSecret,
  });
  await t.herald.services.auth.ensureConfiguredAdmin();
});
afterAll(async () => {
  await t?.close();
  await idp?.stop();
});

describe('the resolver', () => {
  it(`has at least 20 hostile forms to refuse (${HOSTILE.length})`, () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(20);
  });

  it.each(HOSTILE)('%j never names another host', (next) => {
    const target = safeNext(next);
    expect(new URL(target, TEST_ORIGIN).origin).toBe(ORIGIN);
    expect(target).toMatch(/^\/(?![/\\])/);
    // What it gives back is stable: checking it again changes nothing.
    expect(safeNext(target)).toBe(target);
  });

  it.each(GOOD)('keeps the local path %j', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([undefined, '', 42, null])('falls back to / for %j', (next) => {
    expect(safeNext(next)).toBe('/');
  });
});

describe('sign-in with a password', () => {
  it.each(HOSTILE)('next=%j lands on Herald', async (next) => {
    const browser = new PageClient(t.herald.app);
    const page = await browser.request(`/login?next=${encodeURIComponent(next)}`);
    expect(page.status).toBe(200);
    const res = await browser.post('/login', { email: 'admin@agency.com', password: PASSWORD, next });
    expect(res.status).toBe(303);
    expectOnHerald(res.headers.get('location'));
    // Already signed in, /login sends the browser on at once: the same rule.
    const again = await browser.request(`/login?next=${encodeURIComponent(next)}`);
    expect(again.status).toBe(302);
    expectOnHerald(again.headers.get('location'));
  });

  it.each(GOOD)('next=%j is kept', async (next, expected) => {
    const browser = new PageClient(t.herald.app);
    const res = await browser.post('/login', { email: 'admin@agency.com', password: PASSWORD, next });
    expect(res.headers.get('location')).toBe(expected);
  });

  it.each(['/%5c%5cevil.example', '/.//evil.example', '/%2e//evil.example', '//evil.example'])(
    'a page asked for as %j, then the sign-in, ends on Herald',
    async (path) => {
      const browser = new PageClient(t.herald.app);
      const first = await browser.request(path);
      expect(first.status).toBe(303);
      const login = landing(first.headers.get('location'));
      expect(login.origin).toBe(ORIGIN);
      expect(login.pathname).toBe('/login');
      const next = login.searchParams.get('next')!;
      expect(safeNext(next)).toBe(next);
      const res = await browser.post('/login', { email: 'admin@agency.com', password: PASSWORD, next });
      expectOnHerald(res.headers.get('location'));
    },
  );
});

describe('single sign-on', () => {
  const isCallback = (url: string) => url.startsWith(`${TEST_ORIGIN}/auth/oidc/callback`);

  async function ssoLanding(next: string): Promise<string | null> {
    idp.signInAs = 'u-admin';
    const browser = new PageClient(t.herald.app);
    const start = `/auth/oidc/start?next=${encodeURIComponent(next)}`;
    const { url } = await browser.follow(start, { stopBefore: isCallback });
    expect(isCallback(url)).toBe(true);
    const res = await browser.request(url);
    expect(res.status).toBe(302);
    return res.headers.get('location');
  }

  it.each(HOSTILE)('next=%j lands on Herald after the provider', async (next) => {
    expectOnHerald(await ssoLanding(next));
  });

  it('keeps a good next through the provider', async () => {
    expect(await ssoLanding('/clients?x=1')).toBe('/clients?x=1');
  });

  it('the sign-in page offers single sign-on with the checked next only', async () => {
    const { html } = await new PageClient(t.herald.app).get(`/login?next=${encodeURIComponent('/.//evil.example')}`);
    expect(html).toContain('href="/auth/oidc/start?next=%2F"');
  });
});
