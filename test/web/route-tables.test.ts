import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// Every admin page and every state-changing browser route, with real ids filled in.
let t: TestHerald;
const ids: Record<string, string> = {};

function fill(path: string): string {
  return path.replace(/:(\w+)/g, (_, k: string) => ids[k] ?? `missing-${k}`);
}

const PAGES = ['/', '/clients', '/clients/new', '/clients/:client', '/clients/:client/edit', '/clients/:client/rules/new', '/rules/:rule/edit', '/pipeline', '/calendar', '/posts/new', '/posts/:post', '/logs', '/system', '/settings'];
PAGES.push('/settings/admins/:admin/remove');

const MUTATIONS = [
  '/logout',
  '/clients',
  '/clients/:client',
  '/clients/:client/archive',
  '/clients/:client/generate',
  '/rules/:rule/generate',
  '/posts/:post/do/regenerate',
  '/clients/:client/invites',
  '/clients/:client/invites/:invite/revoke',
  '/accounts/:account/enable',
  '/accounts/:account/disable',
  '/accounts/:account/delete',
  '/clients/:client/rules',
  '/rules/:rule',
  '/rules/:rule/delete',
  '/pipeline/bulk',
  '/posts',
  '/posts/:post',
  '/posts/:post/do/approve',
  '/posts/:post/do/reject',
  '/posts/:post/do/cancel',
  '/posts/:post/do/retry',
  '/posts/:post/do/submit',
  '/posts/:post/do/mark-published',
  '/posts/media',
  '/system/jobs/maintenance/run',
  '/system/backups',
  '/settings/agency',
  '/settings/tokens',
  '/settings/tokens/:token/revoke',
  '/settings/admins',
  '/settings/admins/:admin/remove',
  '/settings/password',
  '/settings/sign-out-everywhere',
];

beforeAll(async () => {
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' });
  await t.herald.services.auth.ensureConfiguredAdmin();
  const seeded = seedClient(t);
  ids.client = seeded.client.id;
  ids.account = seeded.facebook.id;
  ids.rule = t.herald.services.rules.create(seeded.client.id, { name: 'R', cron: '0 9 * * *' }).id;
  ids.post = t.herald.services.posts.create({ accountId: seeded.facebook.id, caption: 'x' }, { kind: 'system' }).id;
  ids.invite = t.herald.services.clients.createInvite(seeded.client.id).invite.id;
  ids.token = t.herald.services.apiTokens.create({ name: 'x' }).row.id;
  const second = await t.herald.services.auth.createAdmin({ email: 'b@agency.test', password: 'another long one' });
  ids.admin = second.id;
});
afterAll(() => t.close());

/**
 * Everything a mutation could touch: row counts, and the columns the routes above change
 * (client, account, post and invite status, rules, token revocation, admins, settings, job runs).
 */
function snapshot(): unknown {
  const db = t.herald.database.sqlite;
  const rows = (sql: string) => db.prepare(sql).all();
  return {
    counts: db.prepare('SELECT (SELECT count(*) FROM clients) c, (SELECT count(*) FROM posts) p, (SELECT group_concat(status) FROM posts) s, (SELECT count(*) FROM invites) i, (SELECT count(*) FROM api_tokens) k, (SELECT count(*) FROM job_runs) j, (SELECT count(*) FROM media) m, (SELECT count(*) FROM admins) a').get(),
    clients: rows('SELECT id, name, status, timezone, updated_at FROM clients ORDER BY id'),
    accounts: rows('SELECT id, status, updated_at FROM accounts ORDER BY id'),
    posts: rows('SELECT id, status, version, caption, scheduled_at, updated_at FROM posts ORDER BY id'),
    invites: rows('SELECT id, revoked_at FROM invites ORDER BY id'),
    tokens: rows('SELECT id, revoked_at FROM api_tokens ORDER BY id'),
    rules: rows('SELECT * FROM rules ORDER BY id'),
    ruleAccounts: rows('SELECT * FROM rule_accounts ORDER BY rule_id, account_id'),
    settings: rows('SELECT key, value FROM settings ORDER BY key'),
    admins: rows('SELECT id, email, password_hash FROM admins ORDER BY id'),
    sessions: rows('SELECT id_hash FROM sessions ORDER BY id_hash'),
  };
}

describe('admin routes without a session', () => {
  it.each(PAGES)('GET %s redirects to /login', async (path) => {
    const res = await new PageClient(t.herald.app).request(fill(path));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it.each(MUTATIONS.filter((p) => p !== '/logout'))('POST %s does nothing and redirects to /login', async (path) => {
    const before = snapshot();
    const res = await new PageClient(t.herald.app).post(fill(path), { name: 'intruder', timezone: 'UTC' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/login/);
    expect(snapshot()).toEqual(before);
  });
});

describe('admin routes with a session', () => {
  let browser: PageClient;
  beforeAll(async () => {
    browser = new PageClient(t.herald.app);
    await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    await browser.get('/');
  });

  it.each(PAGES)('GET %s → 200 with a CSP and no inline script', async (path) => {
    const { res, html } = await browser.get(fill(path));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
  });

  it.each(MUTATIONS)('cross-site POST %s → 403', async (path) => {
    const res = await browser.post(fill(path), {}, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });

  it.each(MUTATIONS)('same-site POST %s without the CSRF token → 403', async (path) => {
    const res = await browser.post(fill(path), {}, { csrf: false });
    expect(res.status).toBe(403);
  });

  it.each(PAGES)('GET %s changes nothing', async (path) => {
    const before = snapshot();
    await browser.get(fill(path));
    expect(snapshot()).toEqual(before);
  });
});
