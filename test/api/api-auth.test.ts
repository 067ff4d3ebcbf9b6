import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, makeHerald, type TestHerald } from '../helpers/herald.js';

// Every API route, unauthenticated: each answers 401 in the documented error shape.
const ROUTES: Array<[string, string]> = [
  ['GET', '/clients'],
  ['POST', '/clients'],
  ['GET', '/clients/cli_x'],
  ['PATCH', '/clients/cli_x'],
  ['DELETE', '/clients/cli_x'],
  ['POST', '/clients/cli_x/invites'],
  ['GET', '/clients/cli_x/accounts'],
  ['PATCH', '/accounts/acc_x'],
  ['DELETE', '/accounts/acc_x'],
  ['POST', '/clients/cli_x/rules'],
  ['GET', '/clients/cli_x/rules'],
  ['GET', '/rules/rule_x'],
  ['PATCH', '/rules/rule_x'],
  ['DELETE', '/rules/rule_x'],
  ['GET', '/rules/rule_x/slots'],
  ['POST', '/posts'],
  ['GET', '/posts'],
  ['GET', '/posts/post_x'],
  ['PATCH', '/posts/post_x'],
  ['POST', '/posts/post_x/approve'],
  ['POST', '/posts/post_x/reject'],
  ['POST', '/posts/post_x/cancel'],
  ['POST', '/posts/post_x/retry'],
  ['GET', '/posts/post_x/logs'],
  ['POST', '/media'],
  ['GET', '/jobs'],
  ['POST', '/jobs/publish-due/run'],
];

describe('API authentication', () => {
  let t: TestHerald;
  beforeAll(async () => {
    t = await makeHerald();
  });
  afterAll(() => t.close());

  it.each(ROUTES)('%s %s without a token → 401', async (method, path) => {
    const res = await t.herald.app.request(`/api/v1${path}`, { method });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
    const body = await json(res);
    expect(body.error.code).toBe('unauthorized');
  });

  it.each([
    ['a wrong token', 'Bearer hrld_nope'],
    ['a malformed header', 'Token abc'],
  ])('refuses %s', async (_, header) => {
    const res = await t.herald.app.request('/api/v1/clients', { headers: { authorization: header } });
    expect(res.status).toBe(401);
  });

  it('ignores a browser session cookie', async () => {
    const res = await t.herald.app.request('/api/v1/clients', { headers: { cookie: 'herald_session=whatever' } });
    expect(res.status).toBe(401);
  });

  it('stops accepting a revoked token', async () => {
    const { token, row } = t.herald.services.apiTokens.create({ name: 'temp' });
    expect(
      (await t.herald.app.request('/api/v1/clients', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    t.herald.services.apiTokens.revoke(row.id);
    expect(
      (await t.herald.app.request('/api/v1/clients', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
  });

  it('stores tokens hashed only', () => {
    const { token } = t.herald.services.apiTokens.create({ name: 'hashcheck' });
    const rows = t.herald.database.sqlite.prepare('SELECT * FROM api_tokens').all();
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await t.api('GET', '/nothing-here');
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
  });
});
