// What a token made by an editor assigned one client of three lists through the JSON API: every list, search,
// export and event feed holds only that client, and a `clientId` of another client is 404. A token from an owner
// (or from before teams) still lists every client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
const OTHERS = ['Bravo', 'Charlie'];

describe('an editor token lists only the editor clients', () => {
  let t: TestHerald;
  let editorToken: string;
  let ownerToken: string;
  const ids: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
  const postOf: Record<string, string> = {};

  const call = (token: string, path: string) =>
    Promise.resolve(t.herald.app.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } }));

  beforeAll(async () => {
    t = await makeHerald({}, { clock: new ManualClock(T0) });
    const { posts, auth, apiTokens } = t.herald.services;
    const system = { kind: 'system' } as const;
    for (const [key, name, word] of [
      ['a', 'Alpha Bakery', 'Alphaword'],
      ['b', 'Bravo Cafe', 'Bravoword'],
      ['c', 'Charlie Deli', 'Charlieword'],
    ] as const) {
      const seeded = seedClient(t, { name, approvalMode: 'admin' });
      ids[key] = seeded.client.id;
      // Awaiting approval: the approval request is an event of the client.
      postOf[key] = posts.create(
        { accountId: seeded.facebook.id, caption: `${word} post`, scheduledAt: at(3), status: 'scheduled' },
        system,
      ).id;
      posts.create({ accountId: seeded.facebook.id, caption: `${word} draft`, status: 'draft' }, system);
    }
    const editor = await auth.createAdmin({
      email: 'editor@agency.test',
      password: 'long enough password',
      role: 'editor',
    });
    t.herald.repos.auth.setMemberClients(editor.id, [ids.a]);
    editorToken = apiTokens.create({ name: 'editor script', scope: 'write' }, editor.id).token;
    const owner = await auth.createAdmin({
      email: 'owner@agency.test',
      password: 'long enough password',
      role: 'owner',
    });
    ownerToken = apiTokens.create({ name: 'owner script', scope: 'admin' }, owner.id).token;
  });
  afterAll(() => t?.close());

  const lists = ['/clients', '/clients?q=a', '/clients?status=active', '/posts', '/posts?status=pending_approval'];

  it.each(lists)('GET %s lists client A only for the editor, all three for an owner and an old token', async (path) => {
    const mine = await call(editorToken, path);
    expect(mine.status).toBe(200);
    const body = await json(mine);
    expect(body.data.length).toBeGreaterThan(0);
    for (const row of body.data) expect(row.clientId ?? row.id).toBe(ids.a);
    for (const token of [ownerToken, t.token]) {
      const all = await json(await call(token, path));
      const seen = new Set(all.data.map((row: { clientId?: string; id: string }) => row.clientId ?? row.id));
      expect(seen).toEqual(new Set([ids.a, ids.b, ids.c]));
    }
  });

  it('pages through the editor posts without ever reaching another client', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ clientId: string }>; nextCursor: string | null } = await json(
        await call(editorToken, `/posts?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
      );
      seen.push(...page.data.map((p) => p.clientId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([ids.a, ids.a]);
  });

  it('GET /posts.csv exports client A posts only', async () => {
    const res = await call(editorToken, '/posts.csv');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('Alphaword post');
    for (const word of OTHERS) expect(text).not.toContain(word);
    const all = await (await call(ownerToken, '/posts.csv')).text();
    for (const word of OTHERS) expect(all).toContain(`${word}word post`);
  });

  it('GET /events lists client A events only', async () => {
    const mine = await json(await call(editorToken, '/events'));
    expect(mine.data.length).toBeGreaterThan(0);
    for (const event of mine.data) expect(event.clientId).toBe(ids.a);
    const all = await json(await call(ownerToken, '/events'));
    expect(new Set(all.data.map((e: { clientId: string }) => e.clientId))).toEqual(new Set([ids.a, ids.b, ids.c]));
  });

  it('a clientId of another client is 404 in every list, export and collection under a client', async () => {
    for (const path of [
      `/posts?clientId=${ids.b}`,
      `/posts/${postOf.b}`,
      `/posts/${postOf.c}/logs`,
      `/posts.csv?clientId=${ids.b}`,
      `/events?clientId=${ids.c}`,
      `/media?clientId=${ids.b}`,
      `/clients/${ids.b}`,
      `/clients/${ids.b}/accounts`,
      `/clients/${ids.b}/rules`,
      `/clients/${ids.b}/snippets`,
      `/clients/${ids.b}/feeds`,
      `/clients/${ids.b}/media`,
      `/clients/${ids.c}/results`,
      `/clients/${ids.c}/results/posts.csv`,
    ]) {
      const res = await call(editorToken, path);
      expect(res.status, path).toBe(404);
      const body = await json(res);
      expect(body.error.code, path).toBe('not_found');
      expect(JSON.stringify(body), path).not.toMatch(/Bravo|Charlie/);
      expect((await call(ownerToken, path)).status, `owner ${path}`).toBe(200);
    }
    for (const path of [
      `/posts?clientId=${ids.a}`,
      `/posts/${postOf.a}/logs`,
      `/clients/${ids.a}/accounts`,
      `/media?clientId=${ids.a}`,
    ]) {
      expect((await call(editorToken, path)).status, path).toBe(200);
    }
  });

  it('a viewer token with no clients assigned lists nothing', async () => {
    const { auth, apiTokens } = t.herald.services;
    const viewer = await auth.createAdmin({
      email: 'viewer@agency.test',
      password: 'long enough password',
      role: 'viewer',
    });
    const token = apiTokens.create({ name: 'viewer script', scope: 'read' }, viewer.id).token;
    for (const path of ['/clients', '/posts', '/events']) {
      const body = await json(await call(token, path));
      expect(body.data, path).toEqual([]);
    }
    expect(await (await call(token, '/posts.csv')).text()).not.toMatch(/Alpha|Bravo|Charlie/);
  });
});
