import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { makeHerald, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

const DAY = 86_400_000;
const DAYS = 'must be a whole number of days';
let t: TestHerald;
let clock: ManualClock;
let browser: PageClient;

const tokenRows = () =>
  t.herald.database.sqlite.prepare('SELECT name, scope, expires_at FROM api_tokens ORDER BY created_at, id').all();
const create = (fields: Record<string, string>, htmx = false) => browser.post('/settings/tokens', fields, { htmx });

beforeAll(async () => {
  clock = new ManualClock(Date.parse('2026-06-01T08:00:00Z'));
  t = await makeHerald({ ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' }, { clock });
  await t.herald.services.auth.ensureConfiguredAdmin();
  // Made "three days ago" with a one-day life: expired by the time the page is shown.
  t.herald.services.apiTokens.create({ name: 'old-report', scope: 'read', expiresInDays: 1 });
  clock.advance(3 * DAY);
  t.herald.services.apiTokens.create({ name: 'zapier', scope: 'write', expiresInDays: 30 });
  browser = new PageClient(t.herald.app);
  await browser.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
  await browser.get('/');
});
afterAll(() => t.close());

/** The table row of the token called `name`. */
function rowOf(html: string, name: string): string {
  const row = html.split('<tr>').find((r) => r.includes(`<strong>${name}</strong>`));
  expect(row, name).toBeDefined();
  return row!.split('</tr>')[0]!;
}

describe('Settings: API tokens', () => {
  it('lists each token with its scope and expiry, and marks expired ones', async () => {
    const { res, html } = await browser.get('/settings');
    expect(res.status).toBe(200);
    const old = rowOf(html, 'old-report');
    expect(old).toContain('badge scope-read');
    expect(old).toContain('expired Tue, 2 Jun 2026, 08:00 UTC');
    expect(old).toMatch(/<span class="badge status-disabled">expired<\/span>/);
    expect(old).not.toContain('Revoke');
    const zapier = rowOf(html, 'zapier');
    expect(zapier).toContain('badge scope-write');
    expect(zapier).toContain('expires Sat, 4 Jul 2026, 08:00 UTC');
    expect(zapier).toContain('Revoke');
    expect(rowOf(html, 'tests')).toContain('never expires');
    // The create form offers the scopes, write chosen, and an expiry in days.
    expect(html).toMatch(/<option value="write" selected="">/);
    expect(html).toMatch(/<option value="admin">admin: also runs jobs/);
    expect(html).toMatch(/name="tokenExpiresInDays"/);
  });

  it('creates a token with the chosen scope and expiry; the API holds it to them', async () => {
    const res = await create({ tokenName: 'dashboard', tokenScope: 'read', tokenExpiresInDays: '7' });
    expect(res.status).toBe(200);
    const html = await res.text();
    const secret = /value="(hrld_[^"]+)" id="new-token"/.exec(html)?.[1];
    expect(secret).toMatch(/^hrld_/);
    expect(rowOf(html, 'dashboard')).toContain('expires Thu, 11 Jun 2026, 08:00 UTC');
    expect(tokenRows()).toContainEqual({ name: 'dashboard', scope: 'read', expires_at: clock.now() + 7 * DAY });
    const auth = { authorization: `Bearer ${secret}` };
    expect((await t.herald.app.request('/api/v1/clients', { headers: auth })).status).toBe(200);
    expect((await t.herald.app.request('/api/v1/clients', { method: 'POST', headers: auth })).status).toBe(403);
    // Left empty: write, never expires.
    expect((await create({ tokenName: 'defaults', tokenScope: '', tokenExpiresInDays: '' })).status).toBe(200);
    expect(tokenRows()).toContainEqual({ name: 'defaults', scope: 'write', expires_at: null });
  });

  it.each([
    [{ tokenName: 'x', tokenScope: 'root', tokenExpiresInDays: '' }, 'tokenScope', 'must be one of read, write, admin'],
    [{ tokenName: 'x', tokenScope: 'read', tokenExpiresInDays: '0' }, 'tokenExpiresInDays', DAYS],
    [{ tokenName: 'x', tokenScope: 'read', tokenExpiresInDays: 'soon' }, 'tokenExpiresInDays', DAYS],
    [{ tokenName: 'x', tokenScope: 'read', tokenExpiresInDays: '99999' }, 'tokenExpiresInDays', DAYS],
    [{ tokenName: '', tokenScope: 'admin', tokenExpiresInDays: '5' }, 'tokenName', 'is required'],
  ])('refuses %j with the error at its field, values kept', async (fields, field, message) => {
    const before = tokenRows();
    const res = await create(fields, true);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(new RegExp(`<small class="field-error" id="${field}-error">${message}`));
    expect(html).toContain(`value="${fields.tokenName}"`);
    expect(html).not.toContain('id="new-token"');
    expect(tokenRows()).toEqual(before);
  });
});

describe('System: the Run button does not stack runs', () => {
  it('a second click while the run is queued joins it', async () => {
    const queued = () =>
      t.herald.database.sqlite.prepare("SELECT id FROM job_runs WHERE job = 'backup' AND status = 'queued'").all();
    await browser.get('/system');
    expect((await browser.post('/system/jobs/backup/run', {})).status).toBe(303);
    expect(queued()).toHaveLength(1);
    expect((await browser.post('/system/jobs/backup/run', {})).status).toBe(303);
    expect(queued()).toHaveLength(1);
    const { html } = await browser.get('/system');
    expect(html).toContain(`was already queued (run ${(queued()[0] as { id: string }).id})`);
  });
});
