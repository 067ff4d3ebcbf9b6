import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, type TestHerald } from '../helpers/herald.js';

// The headers every answer carries, pinned exactly, so that swapping the middleware that sets
// them (or upgrading it) cannot quietly change what browsers are told.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; " +
  "media-src 'self' blob:; " +
  "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
const ALWAYS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};
// Headers a general-purpose default would add; Herald sends none of them.
const NEVER = [
  'x-powered-by',
  'x-xss-protection',
  'cross-origin-resource-policy',
  'cross-origin-embedder-policy',
  'origin-agent-cluster',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'permissions-policy',
];

describe.each([
  ['http', {}, null],
  ['https', { PUBLIC_URL: 'https://herald.test' }, 'max-age=31536000'],
] as const)('security headers over %s', (_scheme, env, hsts) => {
  let t: TestHerald;
  beforeAll(async () => {
    t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple', ...env });
    await t.herald.services.auth.ensureConfiguredAdmin();
  });
  afterAll(() => t.close());

  it('a page: the CSP, no caching, and the fixed set', async () => {
    const res = await t.herald.app.request('http://herald.test/login');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('cache-control')).toBe('no-store');
    for (const [name, value] of Object.entries(ALWAYS)) expect(res.headers.get(name), name).toBe(value);
    expect(res.headers.get('strict-transport-security')).toBe(hsts);
    for (const name of NEVER) expect(res.headers.get(name), name).toBeNull();
  });

  it.each([
    ['a redirect to sign in', '/clients', 303],
    ['a missing file', '/media/no-such-file.jpg', 404],
    ['the API', '/api/v1/clients', 401],
    ['a static file', '/static/app.js', 200],
    ['the health check', '/healthz', 200],
  ])('%s: the fixed set and a request id', async (_what, path, status) => {
    const res = await t.herald.app.request(`http://herald.test${path}`);
    expect(res.status).toBe(status);
    for (const [name, value] of Object.entries(ALWAYS)) expect(res.headers.get(name), name).toBe(value);
    expect(res.headers.get('strict-transport-security')).toBe(hsts);
    expect(res.headers.get('x-request-id')).toMatch(/^[\w-]{8,64}$/);
    for (const name of NEVER) expect(res.headers.get(name), name).toBeNull();
  });
});

describe('request ids', () => {
  let t: TestHerald;
  beforeAll(async () => {
    t = await makeHerald();
  });
  afterAll(() => t.close());

  it('a well-formed incoming X-Request-Id is echoed; anything else is replaced by a fresh one', async () => {
    const echo = async (id: string) => {
      const res = await t.herald.app.request('http://herald.test/healthz', { headers: { 'x-request-id': id } });
      return res.headers.get('x-request-id');
    };
    expect(await echo('proxy-id-12345')).toBe('proxy-id-12345');
    for (const bad of ['has space in it', 'x'.repeat(65), '<script>alert(1)</script>']) {
      const got = await echo(bad);
      expect(got).not.toBe(bad);
      expect(got).toMatch(/^[\w-]{8,64}$/);
    }
    // Answers made by the error handlers carry it too.
    const missing = await t.api('GET', '/clients/no-such-client');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toMatch(/^[\w-]{8,64}$/);
    const a = await echo('');
    const b = await echo('');
    expect(a).not.toBe(b);
  });
});
