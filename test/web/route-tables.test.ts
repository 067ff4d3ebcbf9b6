import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, TEST_ORIGIN } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';
import { expandPattern, seedRouteFixtures } from '../helpers/route-fixtures.js';

// The auth and CSRF matrix over every route the app has. The table is read from the app's own
// route list, so a route added later is tested the day it appears: it is an admin route (guarded
// by the sign-in) unless it is named below as public, lives under /portal/ or /api/v1/; and each
// of its path parameters needs a fixture (test/helpers/route-fixtures.ts), or the "every route is covered" test fails.

const t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
await t.herald.services.auth.ensureConfiguredAdmin();
const { ids, fixtures: FIXTURES } = await seedRouteFixtures(t);

/** The form connection route is tested with a network that connects by a form (Bluesky's app password). */
const formNetwork = t.herald.networks.list.find((n) => n.descriptor.connect.form)?.descriptor.id;
const ROUTE_FIXTURES: Record<string, Record<string, string>> = {
  ...(formNetwork ? { 'POST /auth/:connector/form': { 'auth/:connector': formNetwork } } : {}),
};

/** Query strings a page needs to render at all. */
const QUERIES: Record<string, string> = {
  'GET /rules/preview': `?clientId=${ids.client}&name=R&cron=0+9+*+*+*`,
  // An admin starts a connection for a chosen client; without clientId it is the portal's form.
  'POST /auth/:connector/start': `?clientId=${ids.client}`,
  'POST /auth/:connector/form': `?clientId=${ids.client}`,
};

/** Routes anyone may reach without a session; everything else outside /portal and /api is admin. */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /metrics',
  'GET /media/:key',
  'HEAD /media/:key',
  'GET /login',
  'POST /login',
  'GET /setup',
  'POST /setup',
  'POST /logout',
  // Signing in with a passkey, and the second step of a password sign-in (its own half-open session).
  'GET /login/verify',
  'POST /login/verify',
  'POST /login/passkey/options',
  'POST /login/passkey',
  'POST /login/verify/passkey/options',
  'POST /login/verify/passkey',
  'GET /auth/oidc/start',
  'GET /auth/oidc/callback',
  // Answers 403 to everyone: a connection starts only from Herald's own form (the POST).
  'GET /auth/:connector/start',
  'GET /auth/:connector/callback',
  'GET /invite/:token',
  // A team invitation's link: the secret in the path is the authority.
  'GET /join/:token',
  'POST /join/:token',
  'GET /unsubscribe/:token',
  'POST /unsubscribe/:token',
]);

/**
 * The one browser POST without the CSRF check: RFC 8058's one-click unsubscribe, which a mail
 * provider sends without cookie or origin; the signed token in its path is its authority.
 */
const CSRF_EXEMPT = new Set(['POST /unsubscribe/:token']);

/**
 * Routes either session may use: a connection starts from the portal's form (the client's
 * session) or from an admin's page for a chosen client (`clientId`, the admin's session).
 */
const EITHER_SESSION = new Set(['POST /auth/:connector/start', 'POST /auth/:connector/form']);

/** Middleware mounted for every method (`app.use`), not routes of their own. */
const MIDDLEWARE = new Set(['ALL /*', 'ALL /static/*', 'ALL /api/v1/*', 'ALL /portal', 'ALL /portal/*']);

type Area = 'public' | 'admin' | 'portal' | 'api' | 'connect';
interface Route {
  method: string;
  pattern: string;
  area: Area;
  /** Concrete paths, fixtures filled in; empty when a parameter has no fixture. */
  paths: string[];
  problem: string | null;
}

function expand(route: string, pattern: string): { paths: string[]; problem: string | null } {
  return expandPattern(pattern, { ...FIXTURES, ...ROUTE_FIXTURES[route] });
}

function areaOf(method: string, pattern: string): Area {
  if (PUBLIC.has(`${method} ${pattern}`)) return 'public';
  if (EITHER_SESSION.has(`${method} ${pattern}`)) return 'connect';
  if (pattern.startsWith('/api/')) return 'api';
  if (pattern === '/portal' || pattern.startsWith('/portal/')) return 'portal';
  return 'admin';
}

const ROUTES: Route[] = [];
const seen = new Set<string>();
for (const { method, path: pattern } of t.herald.app.routes) {
  const key = `${method} ${pattern}`;
  if (seen.has(key) || MIDDLEWARE.has(key)) continue;
  seen.add(key);
  const { paths, problem } =
    method === 'ALL'
      ? { paths: [], problem: `${key} answers every method: name it in MIDDLEWARE or give it methods` }
      : expand(key, pattern);
  const query = QUERIES[key] ?? '';
  ROUTES.push({ method, pattern, area: areaOf(method, pattern), paths: paths.map((p) => `${p}${query}`), problem });
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const concrete = (routes: Route[]) => routes.flatMap((r) => r.paths.map((path) => ({ method: r.method, path })));
const cases = (area: Area, mutating: boolean) =>
  concrete(ROUTES.filter((r) => r.area === area && MUTATING.has(r.method) === mutating));
const PAGES = cases('admin', false);
const MUTATIONS = cases('admin', true);
const PORTAL_PAGES = cases('portal', false);
const PORTAL_MUTATIONS = cases('portal', true);
const API = concrete(ROUTES.filter((r) => r.area === 'api'));
const CONNECT = cases('connect', true);
const BROWSER_MUTATIONS = concrete(
  ROUTES.filter((r) => r.area !== 'api' && MUTATING.has(r.method) && !CSRF_EXEMPT.has(`${r.method} ${r.pattern}`)),
);

afterAll(() => t.close());

/**
 * Everything a mutation could touch: row counts, and the columns the routes above change
 * (client, account, post and invite status, rules, token revocation, admins, settings, job runs).
 */
function snapshot(): unknown {
  const db = t.herald.database.sqlite;
  const rows = (sql: string) => db.prepare(sql).all();
  return {
    counts: Object.fromEntries(
      [
        'clients',
        'posts',
        'invites',
        'api_tokens',
        'job_runs',
        'media',
        'admins',
        'sessions',
        'events',
        'notify_channels',
        'deliveries',
      ].map((table) => [table, db.prepare(`SELECT count(*) n FROM ${table}`).get()]),
    ),
    clients: rows('SELECT id, name, status, timezone, updated_at FROM clients ORDER BY id'),
    accounts: rows('SELECT id, status, updated_at FROM accounts ORDER BY id'),
    posts: rows('SELECT id, status, version, caption, scheduled_at, updated_at FROM posts ORDER BY id'),
    invites: rows('SELECT id, revoked_at FROM invites ORDER BY id'),
    tokens: rows('SELECT id, revoked_at FROM api_tokens ORDER BY id'),
    rules: rows('SELECT * FROM rules ORDER BY id'),
    ruleAccounts: rows('SELECT * FROM rule_accounts ORDER BY rule_id, account_id'),
    media: rows('SELECT id, alt_text FROM media ORDER BY id'),
    settings: rows('SELECT key, value FROM settings ORDER BY key'),
    channels: rows(
      'SELECT id, name, status, events, client_id, url_sealed, updated_at FROM notify_channels ORDER BY id',
    ),
    deliveries: rows('SELECT id, status, due_at, expires_at FROM deliveries ORDER BY id'),
  };
}

describe('the route table', () => {
  it('covers every route of the app: each has an area and a fixture for each parameter', () => {
    expect(ROUTES.filter((r) => r.problem).map((r) => r.problem)).toEqual([]);
    // No area is empty (a broken read of the app's routes would otherwise pass silently).
    for (const area of ['public', 'admin', 'portal', 'api'] as const) {
      expect(ROUTES.filter((r) => r.area === area).length, area).toBeGreaterThan(2);
    }
    expect(MUTATIONS.length).toBeGreaterThan(25);
  });

  it('every route named public exists (a renamed route must not leave a stale exemption)', () => {
    const existing = new Set(ROUTES.map((r) => `${r.method} ${r.pattern}`));
    expect([...PUBLIC, ...EITHER_SESSION].filter((key) => !existing.has(key))).toEqual([]);
  });
});

describe('routes either session may use', () => {
  it.each(CONNECT)('$method $path without any session → 401 and nothing changes', async ({ path }) => {
    const before = snapshot();
    for (const target of [path, path.split('?')[0]!]) {
      expect((await new PageClient(t.herald.app).post(target, {})).status).toBe(401);
    }
    expect(snapshot()).toEqual(before);
  });

  it.each(CONNECT)('$method $path with an admin session but without the CSRF token → 403', async ({ path }) => {
    const browser = new PageClient(t.herald.app);
    await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    const before = snapshot();
    expect((await browser.post(path, {}, { csrf: false })).status).toBe(403);
    expect(snapshot()).toEqual(before);
  });
});

describe('admin routes without a session', () => {
  it.each(PAGES)('$method $path redirects to /login', async ({ method, path }) => {
    const res = await new PageClient(t.herald.app).request(path, { method });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it.each(MUTATIONS)('$method $path does nothing and redirects to /login', async ({ path }) => {
    const before = snapshot();
    const res = await new PageClient(t.herald.app).post(path, { name: 'intruder', timezone: 'UTC' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login/);
    expect(snapshot()).toEqual(before);
  });
});

describe('API routes without a token', () => {
  it.each(API)('$method $path → 401 and nothing changes', async ({ method, path }) => {
    const before = snapshot();
    const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
    if (MUTATING.has(method)) init.body = '{"name":"intruder"}';
    const res = await t.herald.app.request(`${TEST_ORIGIN}${path}`, init);
    expect(res.status).toBe(401);
    expect(snapshot()).toEqual(before);
  });
});

describe('browser routes refuse cross-site posts, signed in or not', () => {
  it.each(BROWSER_MUTATIONS)('cross-site $method $path → 403 and nothing changes', async ({ path }) => {
    const before = snapshot();
    const fields = { email: 'admin@agency.test', password: 'correct horse battery staple' };
    const res = await new PageClient(t.herald.app).post(path, fields, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(snapshot()).toEqual(before);
  });
});

describe('the one-click unsubscribe', () => {
  it('is the only browser POST without the CSRF check, and a forged token changes nothing', async () => {
    const before = snapshot();
    const forged = `${ids.unsubscribe.slice(0, -2)}xx`;
    const res = await new PageClient(t.herald.app).post(
      `/unsubscribe/${forged}`,
      { 'List-Unsubscribe': 'One-Click' },
      {
        origin: 'https://evil.example',
      },
    );
    expect(res.status).toBe(404);
    expect(snapshot()).toEqual(before);
    expect(t.herald.database.sqlite.prepare('SELECT count(*) n FROM email_suppressions').get()).toEqual({ n: 0 });
  });
});

describe('portal routes', () => {
  const all = [...PORTAL_PAGES, ...PORTAL_MUTATIONS];
  it.each(all)('$method $path without a portal session → 401 and nothing changes', async ({ method, path }) => {
    const before = snapshot();
    const browser = new PageClient(t.herald.app);
    const res = method === 'GET' ? await browser.request(path) : await browser.post(path, {});
    expect(res.status).toBe(401);
    expect(snapshot()).toEqual(before);
  });

  describe('with a portal session', () => {
    let browser: PageClient;
    beforeAll(async () => {
      browser = new PageClient(t.herald.app);
      await browser.follow(`/invite/${ids.inviteSecret}`);
      await browser.get('/portal');
    });

    it.each(PORTAL_PAGES)('$method $path → 200 with a CSP and no inline script', async ({ path }) => {
      const { res, html } = await browser.get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    });

    it.each(PORTAL_MUTATIONS)('cross-site $method $path → 403', async ({ path }) => {
      expect((await browser.post(path, {}, { origin: 'https://evil.example' })).status).toBe(403);
    });

    it.each(PORTAL_MUTATIONS)('same-site $method $path without the CSRF token → 403', async ({ path }) => {
      expect((await browser.post(path, {}, { csrf: false })).status).toBe(403);
    });
  });
});

describe('admin routes with a session', () => {
  let browser: PageClient;
  beforeAll(async () => {
    browser = new PageClient(t.herald.app);
    await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    await browser.get('/');
  });

  it.each(PAGES)('$method $path → 200, and a page has a CSP and no inline script', async ({ path }) => {
    const { res, html } = await browser.get(path);
    expect(res.status).toBe(200);
    // A download (a backup file) is not a page.
    if (!(res.headers.get('content-type') ?? '').startsWith('text/html')) return;
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
  });

  it.each(MUTATIONS)('cross-site $method $path → 403', async ({ path }) => {
    const res = await browser.post(path, {}, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });

  it.each(MUTATIONS)('same-site $method $path without the CSRF token → 403', async ({ path }) => {
    const res = await browser.post(path, {}, { csrf: false });
    expect(res.status).toBe(403);
  });

  it.each(PAGES)('$method $path changes nothing', async ({ path }) => {
    const before = snapshot();
    await browser.get(path);
    expect(snapshot()).toEqual(before);
  });
});
