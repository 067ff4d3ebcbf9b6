import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

describe('first admin through /setup', () => {
  let t: TestHerald;
  beforeAll(async () => {
    t = await makeHerald();
  });
  afterAll(() => t.close());

  it('sends everyone to /setup until an admin exists, and needs the code from the log', async () => {
    const browser = new PageClient(t.herald.app);
    expect((await browser.get('/login')).res.headers.get('location')).toBe('/setup');
    const page = await browser.get('/setup');
    expect(page.html).toContain('setup code');
    const wrong = await browser.post('/setup', {
      code: 'WRONG',
      email: 'owner@agency.com',
      password: 'long enough password',
    });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('is not the code printed in the server log');
    const code = t.herald.services.auth.setupCode()!;
    const ok = await browser.post('/setup', {
      code,
      email: 'owner@agency.com',
      password: 'long enough password',
      name: 'Owner',
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
    expect((await browser.get('/')).res.status).toBe(200);
    // Setup is closed for good.
    expect((await new PageClient(t.herald.app).get('/setup')).res.headers.get('location')).toBe('/login');
    expect(t.herald.services.auth.setupCode()).toBeNull();
  });
});

describe('sign-in', () => {
  let t: TestHerald;
  beforeAll(async () => {
    t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.com', ADMIN_PASSWORD: 'a very good password' });
    await t.herald.services.auth.ensureConfiguredAdmin();
  });
  afterAll(() => t.close());

  it('creates the admin from ADMIN_EMAIL only once', async () => {
    expect(await t.herald.services.auth.ensureConfiguredAdmin()).toBeNull();
    expect(t.herald.services.auth.admins()).toHaveLength(1);
  });

  it.each([['/'], ['/clients'], ['/pipeline?status=failed'], ['/system']])(
    'GET %s without a session redirects to /login',
    async (path) => {
      const res = await new PageClient(t.herald.app).request(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    },
  );

  it('signs in with an HttpOnly, SameSite=Lax session cookie, never reusing a planted id', async () => {
    const browser = new PageClient(t.herald.app);
    browser.cookies.set('herald_session', 'planted-by-an-attacker');
    await browser.get('/login');
    const res = await browser.post('/login', {
      email: 'ADMIN@agency.com',
      password: 'a very good password',
      next: '/clients',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/clients');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('herald_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect(browser.cookies.get('herald_session')).not.toBe('planted-by-an-attacker');
    expect(browser.cookies.get('herald_session')!.length).toBeGreaterThanOrEqual(43);
  });

  it('never redirects off-site after sign-in', async () => {
    const browser = new PageClient(t.herald.app);
    const res = await browser.post('/login', {
      email: 'admin@agency.com',
      password: 'a very good password',
      next: '//evil.example/x',
    });
    expect(res.headers.get('location')).toBe('/');
  });

  it('answers unknown user and wrong password identically', async () => {
    const browser = new PageClient(t.herald.app);
    const unknown = await browser.post('/login', { email: 'nobody@agency.com', password: 'whatever it is' });
    const wrong = await browser.post('/login', { email: 'admin@agency.com', password: 'wrong password!' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    expect(strip(await unknown.text())).toBe(strip(await wrong.text()));
  });

  it('slows down repeated failures for an e-mail, even with the right password afterwards', async () => {
    // A Herald of its own: the failures here must not spill into (or come from) the other tests.
    const own = await makeHerald({ ADMIN_EMAIL: 'admin@agency.com', ADMIN_PASSWORD: 'a very good password' });
    try {
      await own.herald.services.auth.ensureConfiguredAdmin();
      const browser = new PageClient(own.herald.app);
      for (let i = 0; i < 5; i++)
        expect((await browser.post('/login', { email: 'admin@agency.com', password: `guess ${i} guess` })).status).toBe(
          401,
        );
      const blocked = await browser.post('/login', { email: 'admin@agency.com', password: 'a very good password' });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(blocked.headers.getSetCookie().some((c) => c.startsWith('herald_session='))).toBe(false);
      expect(browser.cookies.get('herald_session')).toBeUndefined();
    } finally {
      await own.close();
    }
  });

  it('logout ends the session on the server', async () => {
    const browser = new PageClient(t.herald.app);
    await browser.post('/login', { email: 'admin@agency.com', password: 'a very good password' });
    const stolen = browser.cookies.get('herald_session')!;
    await browser.get('/');
    expect((await browser.post('/logout', {})).status).toBe(303);
    const replay = await t.herald.app.request('http://herald.test/', {
      headers: { cookie: `herald_session=${stolen}` },
      redirect: 'manual',
    });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toMatch(/^\/login/);
  });
});

describe('CSRF', () => {
  let t: TestHerald;
  let browser: PageClient;
  beforeAll(async () => {
    t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.com', ADMIN_PASSWORD: 'a very good password' });
    await t.herald.services.auth.ensureConfiguredAdmin();
    browser = new PageClient(t.herald.app);
    await browser.post('/login', { email: 'admin@agency.com', password: 'a very good password' });
    await browser.get('/');
  });
  afterAll(() => t.close());

  it.each<[string, { csrf?: boolean; origin?: string | null }, number]>([
    ['a cross-site origin', { origin: 'https://evil.example' }, 403],
    ['no origin at all', { origin: null }, 403],
    ['our origin but no token', { csrf: false }, 403],
    ['our origin and the token', {}, 303],
  ])('POST /logout with %s → %i', async (_, options, status) => {
    const res = await browser.post('/logout', {}, options);
    expect(res.status).toBe(status);
    if (status === 303) {
      await browser.post('/login', { email: 'admin@agency.com', password: 'a very good password' });
      await browser.get('/');
    }
  });

  it('refuses a cross-site login post', async () => {
    const res = await new PageClient(t.herald.app).post(
      '/login',
      { email: 'admin@agency.com', password: 'a very good password' },
      { origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
  });

  it('uses __Host- cookies with Secure when PUBLIC_URL is https', async () => {
    const secure = await makeHerald({
      PUBLIC_URL: 'https://herald.example.com',
      ADMIN_EMAIL: 'a@b.co',
      ADMIN_PASSWORD: 'a very good password',
    });
    await secure.herald.services.auth.ensureConfiguredAdmin();
    const client = new PageClient(secure.herald.app, 'https://herald.example.com');
    const res = await client.post('/login', { email: 'a@b.co', password: 'a very good password' });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-herald_session='))!;
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain/i);
    expect((await client.get('/')).res.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
    await secure.close();
  });

  it('gives the flash message cookie the same __Host- prefix and Secure flag', async () => {
    const secure = await makeHerald({
      PUBLIC_URL: 'https://herald.example.com',
      ADMIN_EMAIL: 'a@b.co',
      ADMIN_PASSWORD: 'a very good password',
    });
    try {
      await secure.herald.services.auth.ensureConfiguredAdmin();
      const client = new PageClient(secure.herald.app, 'https://herald.example.com');
      await client.post('/login', { email: 'a@b.co', password: 'a very good password' });
      await client.get('/settings');
      const saved = await client.post('/settings/agency', { agencyName: 'Northwind' });
      expect(saved.status).toBe(303);
      const set = saved.headers.getSetCookie().find((c) => c.includes('herald_flash='))!;
      expect(set).toMatch(/^__Host-herald_flash=/);
      expect(set).toMatch(/; Secure/);
      expect(set).toMatch(/Path=\//);
      expect(set).not.toMatch(/Domain/i);
      const shown = await client.request('/settings');
      expect(await shown.text()).toContain('Saved.');
      const cleared = shown.headers.getSetCookie().find((c) => c.includes('herald_flash='))!;
      expect(cleared).toMatch(/^__Host-herald_flash=;/);
      expect(cleared).toMatch(/; Secure/);
      expect(client.cookies.has('__Host-herald_flash')).toBe(false);
    } finally {
      await secure.close();
    }
  });
});
