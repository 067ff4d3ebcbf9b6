import { afterEach, describe, expect, it } from 'vitest';
import { FakeFeedServer } from '../fakes/feed-server.js';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';

let t: TestHerald | null = null;
let blog: FakeFeedServer | null = null;
afterEach(async () => {
  await t?.close();
  await blog?.stop();
  t = blog = null;
});

async function setup() {
  blog = new FakeFeedServer();
  await blog.start();
  blog.add('rss', { guid: 'a', title: 'First', link: 'https://blog.acme.test/a', published: '2026-11-01T09:00:00Z' });
  t = await makeHerald({ OUTBOUND_PRIVATE_HOSTS: '127.0.0.1' });
  const acme = seedClient(t);
  const other = seedClient(t, { name: 'Other Co' });
  return { t, blog, acme, other };
}

describe('feeds API', () => {
  it('adds, lists, edits and removes a client feed', async () => {
    const { t, blog, acme, other } = await setup();
    const url = `${blog.url}/rss.xml`;
    const res = await t.api('POST', `/clients/${acme.client.id}/feeds`, {
      url,
      accountIds: [acme.facebook.id, acme.instagram.id],
      rewrite: true,
    });
    expect(res.status).toBe(201);
    const feed = await json(res);
    expect(feed).toMatchObject({ clientId: acme.client.id, url, rewrite: true, queue: false, lastError: null });
    expect(feed.lastCheckedAt).not.toBeNull();

    const list = await json(await t.api('GET', `/clients/${acme.client.id}/feeds`));
    expect(list.data.map((f: { id: string }) => f.id)).toEqual([feed.id]);
    // Another client's list does not show it.
    expect((await json(await t.api('GET', `/clients/${other.client.id}/feeds`))).data).toEqual([]);

    const patched = await t.api('PATCH', `/feeds/${feed.id}`, { accountIds: [acme.facebook.id], queue: true });
    expect(await json(patched)).toMatchObject({ accountIds: [acme.facebook.id], queue: true, rewrite: true });

    expect((await t.api('DELETE', `/feeds/${feed.id}`)).status).toBe(204);
    expect((await t.api('GET', `/feeds/${feed.id}`)).status).toBe(404);
    expect((await t.api('PATCH', `/feeds/${feed.id}`, { queue: false })).status).toBe(404);
  });

  it('answers validation_failed with details for bad input, and never takes another client’s accounts', async () => {
    const { t, blog, acme, other } = await setup();
    const post = (body: unknown) => t.api('POST', `/clients/${acme.client.id}/feeds`, body);
    const bad = async (body: unknown) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      const answer = await json(res);
      expect(answer.error.code).toBe('validation_failed');
      return answer.error.details;
    };
    expect(await bad({ url: 'ftp://blog.acme.test/rss', accountIds: [acme.facebook.id] })).toMatchObject({
      url: ['must be an http(s) address'],
    });
    expect(await bad({ url: 'not a url', accountIds: [] })).toMatchObject({
      url: ['must be an http(s) address'],
      accountIds: ['needs at least one account'],
    });
    expect(await bad({ url: `${blog.url}/rss.xml`, accountIds: [other.facebook.id] })).toMatchObject({
      accountIds: [`not accounts of this client: ${other.facebook.id}`],
    });
    expect(await bad({ url: `${blog.url}/rss.xml`, accountIds: [acme.facebook.id], rewrite: 'yes' })).toMatchObject({
      rewrite: ['must be true or false'],
    });
    expect(await bad({ url: `${blog.url}/rss.xml`, accountIds: [acme.facebook.id], latest: 500 })).toMatchObject({
      latest: ['must be at most 20'],
    });
    expect(await bad({ url: `${blog.url}/rss.xml`, accountIds: [acme.facebook.id], extra: 1 })).toBeTruthy();
    expect((await post({ url: `${blog.url}/rss.xml`, accountIds: [acme.facebook.id] })).status).toBe(201);
    expect(await bad({ url: `${blog.url}/rss.xml`, accountIds: [acme.facebook.id] })).toMatchObject({
      url: ['this client has this feed already'],
    });
    // The same address is another client's own feed.
    const theirs = await t.api('POST', `/clients/${other.client.id}/feeds`, {
      url: `${blog.url}/rss.xml`,
      accountIds: [other.facebook.id],
    });
    expect(theirs.status).toBe(201);
    const id = (await json(theirs)).id;
    expect(
      (await json(await t.api('PATCH', `/feeds/${id}`, { accountIds: [acme.facebook.id] }))).error.details,
    ).toMatchObject({ accountIds: [`not accounts of this client: ${acme.facebook.id}`] });
    expect((await t.api('POST', '/clients/nope/feeds', { url: `${blog.url}/rss.xml`, accountIds: ['x'] })).status).toBe(
      404,
    );
  });

  it('needs the write scope to change feeds; read may list them', async () => {
    const { t, blog, acme } = await setup();
    const { token } = t.herald.services.apiTokens.create({ name: 'reader', scope: 'read' });
    const auth = { authorization: `Bearer ${token}` };
    const list = await t.herald.app.request(`/api/v1/clients/${acme.client.id}/feeds`, { headers: auth });
    expect(list.status).toBe(200);
    const res = await t.herald.app.request(`/api/v1/clients/${acme.client.id}/feeds`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${blog.url}/rss.xml`, accountIds: [acme.facebook.id] }),
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error.details).toMatchObject({ required: 'write' });
  });
});
