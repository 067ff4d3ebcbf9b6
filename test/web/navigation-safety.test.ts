// Where a browser may be sent, and what a link from another site may start.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../../src/http/safe-next.js';
import { makeHerald, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// Where the browser goes after signing in comes from the URL; it must never leave this site,
// whatever tricks browsers apply to the path (they drop tabs and newlines, read "\" as "/").

const OFF_SITE = [
  '//evil.example/x',
  '/\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  'https://evil.example/',
  'javascript:alert(1)',
  'evil.example',
];

describe('safeNext', () => {
  it.each(OFF_SITE)('refuses %j', (next) => {
    expect(safeNext(next)).toBe('/');
  });

  it.each([
    ['/clients?status=active#top', '/clients?status=active#top'],
    ['/pipeline', '/pipeline'],
    [undefined, '/'],
    ['', '/'],
  ])('keeps the local path %j', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe('after signing in', () => {
  let t: TestHerald;
  beforeAll(async () => {
    t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.com', ADMIN_PASSWORD: 'a very good password' });
    await t.herald.services.auth.ensureConfiguredAdmin();
  });
  afterAll(() => t.close());

  it.each(OFF_SITE)('a signed-in admin sent to /login?next=%j stays on the site', async (next) => {
    const browser = new PageClient(t.herald.app);
    expect(
      (await browser.post('/login', { email: 'admin@agency.com', password: 'a very good password', next })).headers.get(
        'location',
      ),
    ).toBe('/');
    const res = await browser.request(`/login?next=${encodeURIComponent(next)}`);
    expect(res.headers.get('location')).toBe('/');
  });
});

describe('starting an account connection', () => {
  let t: TestHerald;
  beforeAll(async () => {
    t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.com', ADMIN_PASSWORD: 'a very good password' });
    await t.herald.services.auth.ensureConfiguredAdmin();
  });
  afterAll(() => t.close());

  it('cannot be started for a signed-in admin by a link or a form on another site', async () => {
    const browser = new PageClient(t.herald.app);
    await browser.post('/login', { email: 'admin@agency.com', password: 'a very good password' });
    const client = t.herald.services.clients.create({ name: 'Acme', timezone: 'Europe/Berlin', approvalMode: 'none' });
    const path = `/auth/tiktok/start?clientId=${client.id}`;
    const link = await browser.request(path, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(link.status).toBe(403);
    expect(await link.text()).toContain('starts from the connect button in Herald');
    await browser.get(`/clients/${client.id}`);
    expect((await browser.post(path, {}, { origin: 'https://evil.example' })).status).toBe(403);
    // From Herald's own page it goes on (here: TikTok is not set up on this server).
    expect((await browser.post(path, {})).status).toBe(503);
  });
});
