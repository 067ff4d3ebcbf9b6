import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_SCOPES, type ApiScope } from '../../src/domain/api-scope.js';
import { ROUTE_SCOPES } from '../../src/http/api/scopes.js';
import { ManualClock } from '../../src/lib/clock.js';
import { json, makeHerald, type TestHerald } from '../helpers/herald.js';

const API = '/api/v1';
const DAY = 86_400_000;

let t: TestHerald;
let clock: ManualClock;
const tokens = {} as Record<ApiScope, string>;

beforeAll(async () => {
  clock = new ManualClock(Date.parse('2026-06-01T08:00:00Z'));
  t = await makeHerald({}, { clock });
  for (const scope of API_SCOPES) tokens[scope] = t.herald.services.apiTokens.create({ name: scope, scope }).token;
});
afterAll(() => t.close());

/** Every route the API really has, as `METHOD /path` under /api/v1 (no middleware, no 404 catch-all). */
function apiRoutes(): string[] {
  const routes = t.herald.app.routes
    .filter((r) => r.method !== 'ALL' && r.path.startsWith(`${API}/`))
    .map((r) => `${r.method} ${r.path.slice(API.length)}`);
  return [...new Set(routes)].sort();
}

const db = () => t.herald.database.sqlite;

const call = (token: string, method: string, path: string, headers: Record<string, string> = {}) =>
  t.herald.app.request(`${API}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers } });

describe('every API route has a required scope', () => {
  it('the scope table names exactly the routes the API has', () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(20);
    // A route added without a scope fails here, as does a scope left for a route that is gone.
    expect(Object.keys(ROUTE_SCOPES).sort()).toEqual(routes);
  });

  it('reads need read; jobs, webhooks, the team and the audit trail need admin; other changes need write', () => {
    for (const route of apiRoutes()) {
      const [method, path] = route.split(' ') as [string, string];
      const admin =
        ['/webhooks', '/members', '/audit'].some((p) => path.startsWith(p)) ||
        (method !== 'GET' && path.startsWith('/jobs'));
      const expected = admin ? 'admin' : method === 'GET' ? 'read' : 'write';
      expect(ROUTE_SCOPES[route], route).toBe(expected);
    }
  });
});

describe('scopes are enforced on every route', () => {
  // Every (route, scope) pair of the app's own route list, with ids that match nothing, so an
  // allowed request answers 400/404 and changes nothing.
  const cases = Object.entries(ROUTE_SCOPES).flatMap(([route, need]) =>
    API_SCOPES.map((have) => [route, need, have] as [string, ApiScope, ApiScope]),
  );

  it.each(cases)('%s (needs %s) with a %s token', async (route, need, have) => {
    const [method, pattern] = route.split(' ') as [string, string];
    const path = pattern.replace(/:(\w+)/g, 'missing');
    const res = await call(tokens[have], method, path);
    // A download (GET /posts.csv lists every post) answers CSV; refusals are JSON.
    const body = res.headers.get('content-type')?.startsWith('text/csv') ? {} : await json(res);
    if (API_SCOPES.indexOf(have) < API_SCOPES.indexOf(need)) {
      expect(res.status).toBe(403);
      expect(body.error.code).toBe('insufficient_scope');
      expect(body.error.message).toBe(`This token's scope is ${have}; this request needs ${need}.`);
      expect(res.headers.get('www-authenticate')).toContain(`scope="${need}"`);
    } else {
      // Lists answer 200; the made-up ids 404; empty bodies 400 or 415. Never 401/403/500.
      expect([200, 400, 404, 415]).toContain(res.status);
      expect(body.error?.code).not.toBe('insufficient_scope');
    }
  });

  it('a read token may use HEAD', async () => {
    expect((await call(tokens.read, 'HEAD', '/clients')).status).toBe(200);
  });

  it('a read token cannot change anything; the same change with a write token does', async () => {
    const body = JSON.stringify({ name: 'Scoped GmbH', timezone: 'Europe/Berlin', approvalMode: 'none' });
    const post = (token: string) =>
      t.herald.app.request(`${API}/clients`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
    const refused = await post(tokens.read);
    expect(refused.status).toBe(403);
    const count = () => db().prepare("SELECT count(*) n FROM clients WHERE name = 'Scoped GmbH'").get();
    expect(count()).toEqual({ n: 0 });
    const made = await post(tokens.write);
    expect(made.status).toBe(201);
    expect(count()).toEqual({ n: 1 });
  });

  it('running a job needs admin: write is refused and nothing is queued', async () => {
    const refused = await call(tokens.write, 'POST', '/jobs/maintenance/run');
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.message).toMatch(/needs admin/);
    const queued = () => db().prepare("SELECT count(*) n FROM job_runs WHERE status = 'queued'").get();
    expect(queued()).toEqual({ n: 0 });
    expect((await call(tokens.admin, 'POST', '/jobs/maintenance/run')).status).toBe(202);
    expect(queued()).toEqual({ n: 1 });
  });
});

describe('token expiry', () => {
  it('a token works until its expiry, then answers 401 like a revoked one', async () => {
    const { token, row } = t.herald.services.apiTokens.create({ name: 'short-lived', scope: 'read', expiresInDays: 2 });
    expect(row.expiresAt).toBe(clock.now() + 2 * DAY);
    expect((await call(token, 'GET', '/clients')).status).toBe(200);
    clock.advance(2 * DAY - 1);
    expect((await call(token, 'GET', '/clients')).status).toBe(200);
    clock.advance(1);
    const res = await call(token, 'GET', '/clients');
    expect(res.status).toBe(401);
    expect((await json(res)).error).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/expired/) });
    // Tokens without an expiry are unaffected by time.
    clock.advance(365 * DAY);
    expect((await call(tokens.read, 'GET', '/clients')).status).toBe(200);
  });

  it('new tokens default to write with no expiry; bad scopes and days are refused per field', () => {
    const { row } = t.herald.services.apiTokens.create({ name: 'plain' });
    expect(row).toMatchObject({ scope: 'write', expiresAt: null });
    const fields = (input: unknown) => {
      try {
        t.herald.services.apiTokens.create(input);
        return null;
      } catch (err) {
        return (err as { fields?: Record<string, string[]> }).fields;
      }
    };
    expect(fields({ name: 'x', scope: 'root' })).toEqual({ scope: ['must be one of read, write, admin'] });
    for (const days of ['0', '-3', '1.5', 'soon', '1e3', 0, 3651]) {
      expect(fields({ name: 'x', expiresInDays: days }), String(days)).toHaveProperty('expiresInDays');
    }
    expect(fields({ name: 'x', expiresInDays: '30', scope: 'read' })).toBeNull();
  });
});
