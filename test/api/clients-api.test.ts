import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

describe('clients API', () => {
  let t: TestHerald;
  beforeAll(async () => {
    t = await makeHerald();
  });
  afterAll(() => t.close());

  it('creates a client with defaults and reads it back', async () => {
    const res = await t.api('POST', '/clients', { name: 'Bäckerei Schmidt', timezone: 'Europe/Berlin' });
    expect(res.status).toBe(201);
    const client = await json(res);
    expect(client).toMatchObject({
      name: 'Bäckerei Schmidt',
      status: 'invited',
      timezone: 'Europe/Berlin',
      approvalMode: 'admin',
      language: 'en',
    });
    expect(client.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(await json(await t.api('GET', `/clients/${client.id}`))).toEqual(client);
  });

  it.each<[string, unknown, string]>([
    ['no name', { timezone: 'UTC' }, 'name'],
    ['an empty name', { name: '  ', timezone: 'UTC' }, 'name'],
    ['a made-up time zone', { name: 'X', timezone: 'Mars/Olympus' }, 'timezone'],
    ['an unknown approval mode', { name: 'X', timezone: 'UTC', approvalMode: 'boss' }, 'approvalMode'],
    ['a bad language tag', { name: 'X', timezone: 'UTC', language: 'english please' }, 'language'],
    ['an unknown field', { name: 'X', timezone: 'UTC', color: 'red' }, '_'],
    ['a wrong type', { name: 42, timezone: 'UTC' }, 'name'],
  ])('refuses %s with field details', async (_, body, field) => {
    const res = await t.api('POST', '/clients', body);
    expect(res.status).toBe(400);
    const err = (await json(res)).error;
    expect(err.code).toBe('validation_failed');
    expect(Object.keys(err.details)).toContain(field);
  });

  it.each([
    ['not JSON', 'this is not json', { 'content-type': 'application/json' }, 400, 'validation_failed'],
    ['form data', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
  ])('refuses a body that is %s', async (_, body, headers, status, code) => {
    const res = await t.api('POST', '/clients', body, headers);
    expect(res.status).toBe(status);
    expect((await json(res)).error.code).toBe(code);
  });

  it('refuses a body over 1 MB with 413', async () => {
    const res = await t.api('POST', '/clients', { name: 'x'.repeat(1_100_000), timezone: 'UTC' });
    expect(res.status).toBe(413);
  });

  it.each([
    ['GET', '/clients/cli_missing'],
    ['PATCH', '/clients/cli_missing'],
    ['DELETE', '/clients/cli_missing'],
    ['POST', '/clients/cli_missing/invites'],
    ['GET', '/clients/cli_missing/accounts'],
    ['GET', '/clients/cli_missing/rules'],
  ])('%s %s → 404', async (method, path) => {
    const res = await t.api(method, path, method === 'PATCH' ? { name: 'x' } : undefined);
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
  });

  it('patches fields and status', async () => {
    const { id } = await json(await t.api('POST', '/clients', { name: 'Patch me', timezone: 'UTC' }));
    const res = await t.api('PATCH', `/clients/${id}`, {
      brandVoice: 'Warm, witty',
      status: 'paused',
      approvalMode: 'client',
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ brandVoice: 'Warm, witty', status: 'paused', approvalMode: 'client' });
    expect((await t.api('PATCH', `/clients/${id}`, { timezone: 'Nowhere/Else' })).status).toBe(400);
  });

  it('lists with a status filter and cursor pagination', async () => {
    for (let i = 0; i < 5; i++) await t.api('POST', '/clients', { name: `Paged ${i}`, timezone: 'UTC' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ id: string }>; nextCursor: string | null } = await json(
        await t.api('GET', `/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await json(await t.api('GET', '/clients?limit=200'));
    expect(seen).toEqual(all.data.map((c: { id: string }) => c.id));
    // A client paused here, and one left as it is.
    const { id: toPause } = await json(await t.api('POST', '/clients', { name: 'Pause me', timezone: 'UTC' }));
    const { id: untouched } = await json(await t.api('POST', '/clients', { name: 'Leave me', timezone: 'UTC' }));
    expect((await json(await t.api('PATCH', `/clients/${toPause}`, { status: 'paused' }))).status).toBe('paused');
    const paused = await json(await t.api('GET', '/clients?status=paused&limit=200'));
    const pausedIds = paused.data.map((c: { id: string }) => c.id);
    expect(pausedIds).toContain(toPause);
    expect(pausedIds).not.toContain(untouched);
    expect(paused.data.every((c: { status: string }) => c.status === 'paused')).toBe(true);
  });

  it.each([['limit=0'], ['limit=201'], ['limit=abc'], ['cursor=garbage!'], ['status=sleeping']])(
    'refuses list query %s',
    async (query) => {
      const res = await t.api('GET', `/clients?${query}`);
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe('validation_failed');
    },
  );

  it('creates invite links under PUBLIC_URL that expire in 7 days', async () => {
    const { id } = await json(await t.api('POST', '/clients', { name: 'Invited', timezone: 'UTC' }));
    const res = await t.api('POST', `/clients/${id}/invites`);
    expect(res.status).toBe(201);
    const invite = await json(res);
    expect(invite.url).toMatch(/^http:\/\/herald\.test\/invite\/[A-Za-z0-9_-]{40,}$/);
    const days = (Date.parse(invite.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);
    const stored = t.herald.database.sqlite.prepare('SELECT token_hash FROM invites').all();
    expect(JSON.stringify(stored)).not.toContain(invite.url.split('/').pop());
  });

  it('DELETE archives the client and cancels its unpublished posts', async () => {
    const seeded = seedClient(t);
    const post = await json(
      await t.api('POST', '/posts', {
        accountId: seeded.facebook.id,
        caption: 'Bye',
        status: 'scheduled',
        scheduledAt: new Date(Date.now() + 86_400_000).toISOString(),
      }),
    );
    expect(post.status).toBe('scheduled');
    const res = await t.api('DELETE', `/clients/${seeded.client.id}`);
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe('archived');
    expect((await json(await t.api('GET', `/posts/${post.id}`))).status).toBe('cancelled');
    expect((await t.api('POST', `/clients/${seeded.client.id}/invites`)).status).toBe(409);
  });

  it("lists a client's accounts without any token", async () => {
    const seeded = seedClient(t);
    const res = await json(await t.api('GET', `/clients/${seeded.client.id}/accounts`));
    expect(res.data).toHaveLength(3);
    expect(JSON.stringify(res)).not.toMatch(/token-(facebook|instagram|tiktok)|refresh-|accessToken|refreshToken|_enc/);
    expect(res.data.map((a: { platform: string }) => a.platform).sort()).toEqual(['facebook', 'instagram', 'tiktok']);
  });
});
