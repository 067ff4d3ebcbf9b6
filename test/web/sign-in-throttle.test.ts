import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { makeHerald, TEST_ORIGIN, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

const EMAIL = 'admin@agency.com';
const PASSWORD = 'a very good password';

let open: TestHerald[] = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.close()));
  open = [];
});

async function herald(env: Record<string, string> = {}, options: Parameters<typeof makeHerald>[1] = {}) {
  const t = await makeHerald({ ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: PASSWORD, ...env }, options);
  await t.herald.services.auth.ensureConfiguredAdmin();
  open.push(t);
  return t;
}

function failureRows(t: TestHerald): Array<{ key: string; failures: number }> {
  return t.herald.database.sqlite.prepare('SELECT key, failures FROM login_failures ORDER BY key').all() as never;
}

/** A sign-in form post over real HTTP to a Herald listening on a loopback port. */
async function postLogin(base: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: TEST_ORIGIN, ...headers },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

describe('sign-in throttle', () => {
  it('lets a burst of 40 parallel wrong passwords reach at most 10 checks; the rest get 429 and the form', async () => {
    const t = await herald();
    const guess = (i: number) => new PageClient(t.herald.app).post('/login', { email: EMAIL, password: `guess ${i}` });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => guess(i)));
    const checked = answers.filter((res) => res.status === 401);
    const refused = answers.filter((res) => res.status === 429);
    // Every 401 is one argon2 verification; a 429 is answered before any.
    expect(checked.length).toBeGreaterThan(0);
    expect(checked.length).toBeLessThanOrEqual(10);
    expect(refused.length).toBe(40 - checked.length);
    const rows = failureRows(t);
    expect(rows.find((r) => r.key === `email:${EMAIL}`)?.failures).toBe(checked.length);
    for (const res of refused) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const html = await res.text();
      expect(html).toContain('action="/login"');
      expect(html).toMatch(/Too many failed sign-ins\. Try again in \d+ (seconds|minutes)\./);
    }
  });

  it('with TRUST_PROXY=1, 25 failures from one forwarded address do not block another forwarded address', async () => {
    const t = await herald({ TRUST_PROXY: '1', PORT: '0', HOST: '127.0.0.1' });
    const { port } = await t.herald.start();
    const base = `http://127.0.0.1:${port}`;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      // A different (unknown) e-mail each time: only the address is in common.
      const fields = { email: `guess${i}@agency.com`, password: 'not the password' };
      statuses.push((await postLogin(base, fields, { 'x-forwarded-for': '203.0.113.7' })).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // What the client wrote to the left of the proxy's entry does not change who it is.
    const spoofing = await postLogin(
      base,
      { email: 'other@agency.com', password: 'not the password' },
      { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' },
    );
    expect(spoofing.status).toBe(429);
    const other = { 'x-forwarded-for': '198.51.100.9' };
    const elsewhere = await postLogin(base, { email: EMAIL, password: PASSWORD }, other);
    expect(elsewhere.status).toBe(303);
  });

  it('with TRUST_PROXY=0, a forged X-Forwarded-For is ignored: the socket address is the client', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const t = await herald({ PORT: '0', HOST: '127.0.0.1' }, { log: createLogger('debug', sink) });
    const { port } = await t.herald.start();
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 20; i++) {
      const fields = { email: `guess${i}@agency.com`, password: 'not the password' };
      expect((await postLogin(base, fields, { 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(401);
    }
    const forged = await postLogin(base, { email: EMAIL, password: PASSWORD }, { 'x-forwarded-for': '198.51.100.9' });
    expect(forged.status).toBe(429);
    expect(failureRows(t).map((r) => r.key)).toContain('ip:127.0.0.1');
    expect(failureRows(t).some((r) => r.key.includes('203.0.113') || r.key.includes('198.51.100'))).toBe(false);
    // Request logs name the same address.
    const logged = lines
      .map((l) => JSON.parse(l) as { msg?: string; path?: string; ip?: string })
      .filter((l) => l.msg === 'request' && l.path === '/login');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((l) => l.ip === '127.0.0.1')).toBe(true);
  });

  it('lets a browser with a device cookie sign in while the account is blocked for unknown browsers', async () => {
    const t = await herald();
    const known = new PageClient(t.herald.app);
    expect((await known.post('/login', { email: EMAIL, password: PASSWORD })).status).toBe(303);
    expect(known.cookies.get('herald_device')).toBeTruthy();
    // Days later: the session is over, the device cookie is still there.
    known.cookies.delete('herald_session');

    const attacker = new PageClient(t.herald.app);
    for (let i = 0; i < 5; i++) {
      expect((await attacker.post('/login', { email: EMAIL, password: `guess ${i} guess` })).status).toBe(401);
    }
    expect((await attacker.post('/login', { email: EMAIL, password: PASSWORD })).status).toBe(429);
    expect((await new PageClient(t.herald.app).post('/login', { email: EMAIL, password: PASSWORD })).status).toBe(429);

    // The known browser's own mistake is its own: one wrong password is a 401, not a 429.
    expect((await known.post('/login', { email: EMAIL, password: 'typo in it' })).status).toBe(401);
    const res = await known.post('/login', { email: EMAIL, password: PASSWORD, next: '/clients' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/clients');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('herald_device='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=31536000/);
  });

  it('treats a forged or altered device cookie as an unknown browser', async () => {
    const t = await herald();
    const known = new PageClient(t.herald.app);
    await known.post('/login', { email: EMAIL, password: PASSWORD });
    const genuine = known.cookies.get('herald_device')!;
    const other = await t.herald.services.auth.createAdmin({ email: 'other@agency.com', password: 'another password' });
    const forOther = new PageClient(t.herald.app);
    await forOther.post('/login', { email: other.email, password: 'another password' });

    const attacker = new PageClient(t.herald.app);
    for (let i = 0; i < 5; i++) await attacker.post('/login', { email: EMAIL, password: `guess ${i} guess` });

    const [version, adminId, nonce, mac] = genuine.split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const forgeries = {
      'an altered signature': [version, adminId, nonce, flip(mac!)].join('.'),
      'an altered nonce': [version, adminId, flip(nonce!), mac].join('.'),
      'no signature': [version, adminId, nonce].join('.'),
      "another admin's cookie": forOther.cookies.get('herald_device')!,
      garbage: 'not-a-device-cookie',
    };
    for (const [what, value] of Object.entries(forgeries)) {
      const browser = new PageClient(t.herald.app);
      browser.cookies.set('herald_device', value);
      const res = await browser.post('/login', { email: EMAIL, password: PASSWORD });
      expect(res.status, what).toBe(429);
    }
    const browser = new PageClient(t.herald.app);
    browser.cookies.set('herald_device', genuine);
    expect((await browser.post('/login', { email: EMAIL, password: PASSWORD })).status).toBe(303);
  });

  it("locks out only the known browser that keeps failing, not the account's other browsers", async () => {
    const t = await herald();
    const known = new PageClient(t.herald.app);
    await known.post('/login', { email: EMAIL, password: PASSWORD });
    known.cookies.delete('herald_session');
    for (let i = 0; i < 5; i++) {
      expect((await known.post('/login', { email: EMAIL, password: `guess ${i} guess` })).status).toBe(401);
    }
    expect((await known.post('/login', { email: EMAIL, password: PASSWORD })).status).toBe(429);
    expect((await new PageClient(t.herald.app).post('/login', { email: EMAIL, password: PASSWORD })).status).toBe(303);
  });
});

describe('client address behind TRUST_PROXY=2 (as the request log shows it)', () => {
  it.each<[string | null, string]>([
    [null, '127.0.0.1'],
    ['198.51.100.7, 10.0.0.2', '198.51.100.7'],
    ['203.0.113.9, 198.51.100.7, 10.0.0.2', '198.51.100.7'],
    ['10.0.0.2', '127.0.0.1'],
    ['::ffff:198.51.100.7, 10.0.0.2', '198.51.100.7'],
    ['[2001:DB8::1]:443, 10.0.0.2', '2001:db8::1'],
    ['198.51.100.7:5123, 10.0.0.2', '198.51.100.7'],
    ['not-an-address, 10.0.0.2', '127.0.0.1'],
  ])('X-Forwarded-For %j → %s', async (header, expected) => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const t = await herald({ TRUST_PROXY: '2', PORT: '0', HOST: '127.0.0.1' }, { log: createLogger('debug', sink) });
    const { port } = await t.herald.start();
    await fetch(`http://127.0.0.1:${port}/login`, { headers: header ? { 'x-forwarded-for': header } : {} });
    const logged = lines
      .map((l) => JSON.parse(l) as { msg?: string; path?: string; ip?: string })
      .find((l) => l.msg === 'request' && l.path === '/login');
    expect(logged?.ip).toBe(expected);
  });
});
