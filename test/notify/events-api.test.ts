import { afterEach, describe, expect, it } from 'vitest';
import { emitEvent } from '../../src/services/events.js';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

// GET /api/v1/events: what a polling tool sees, page by page, after the last id it saw.

let t: TestHerald;
afterEach(() => t?.close());

/** Two clients' accounts connected (three events each) and one agency-wide failed job. */
async function withEvents() {
  t = await makeHerald();
  const acme = seedClient(t);
  const other = seedClient(t, { name: 'Corner Café' });
  const { database, repos, clock } = t.herald;
  database.immediate(() =>
    emitEvent({ database, repos, clock }, 'job.failed', null, { title: 'Job failed: Daily backup', jobId: 'backup' }),
  );
  return { acme, other };
}

async function get(path: string, token = t.token) {
  const res = await t.herald.app.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await json(res) };
}

describe('GET /api/v1/events', () => {
  it('pages oldest first with after = the last id seen, until nextCursor is null', async () => {
    await withEvents();
    const seen: string[] = [];
    let after = '';
    for (let i = 0; i < 10; i++) {
      const { status, body } = await get(`/events?limit=2${after ? `&after=${after}` : ''}`);
      expect(status).toBe(200);
      seen.push(...body.data.map((e: { id: string }) => e.id));
      if (!body.nextCursor) break;
      expect(body.nextCursor).toBe(body.data.at(-1).id);
      after = body.nextCursor;
    }
    const all = t.herald.repos.events.list({ limit: 100 });
    expect(seen).toEqual(all.map((e) => e.id));
    expect(seen).toHaveLength(7);
    // A poller that is up to date gets nothing, and keeps its place.
    const { body } = await get(`/events?after=${seen.at(-1)}`);
    expect(body).toEqual({ data: [], nextCursor: null });
    // Something new happens: the same poll now returns it, and only it.
    const { database, repos, clock } = t.herald;
    database.immediate(() => emitEvent({ database, repos, clock }, 'backup.failed', null, { title: 'Backup failed' }));
    const next = await get(`/events?after=${seen.at(-1)}`);
    expect(next.body.data.map((e: { type: string }) => e.type)).toEqual(['backup.failed']);
  });

  it('each event is {id, type, clientId, createdAt, data}', async () => {
    const { acme } = await withEvents();
    const { body } = await get('/events?limit=1');
    expect(body.data[0]).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'account.connected',
      clientId: acme.client.id,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: expect.objectContaining({
        title: 'Acme Bakery’s Facebook account Acme Page connected',
        accountId: acme.facebook.id,
        url: `http://herald.test/clients/${acme.client.id}`,
      }),
    });
  });

  it('filters by type and by client', async () => {
    const { other } = await withEvents();
    const byType = await get('/events?type=job.failed');
    expect(byType.body.data.map((e: { data: { jobId: string } }) => e.data.jobId)).toEqual(['backup']);
    const byClient = await get(`/events?clientId=${other.client.id}`);
    expect(byClient.body.data).toHaveLength(3);
    expect(new Set(byClient.body.data.map((e: { clientId: string }) => e.clientId))).toEqual(
      new Set([other.client.id]),
    );
    const both = await get(`/events?clientId=${other.client.id}&type=job.failed`);
    expect(both.body.data).toEqual([]);
  });

  it.each([
    ['an unknown type', '/events?type=post.exploded', 'type'],
    ['an unknown after', '/events?after=evt_nothing', 'after'],
    ['an unknown client', '/events?clientId=cli_nobody', 'clientId'],
    ['a limit over the page size', '/events?limit=150', 'limit'],
    ['a limit that is not a number', '/events?limit=lots', 'limit'],
  ])('%s is refused with validation_failed naming the field', async (_, path, field) => {
    await withEvents();
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body.error.code).toBe('validation_failed');
    expect(Object.keys(body.error.details)).toEqual([field]);
  });

  it('a read token may poll; no token may not', async () => {
    await withEvents();
    const { token } = t.herald.services.apiTokens.create({ name: 'poller', scope: 'read' });
    expect((await get('/events', token)).status).toBe(200);
    const res = await t.herald.app.request('/api/v1/events');
    expect(res.status).toBe(401);
  });
});
