import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeImage } from '../helpers/media-fixtures.js';
import { startFileHost, type FileHost } from '../helpers/media-fixtures.js';
import { FakeThreads, type FakeThreadsUser } from './threads.js';

const APP = { appId: '990011223344', appSecret: 'th-secret' };
const REDIRECT = 'https://herald.example.com/auth/threads/callback';
const HOUR = 3_600_000;

let media: FileHost;
let th: FakeThreads;
let base: string;
let now: number;
let user: FakeThreadsUser;
let token: string;

beforeAll(async () => {
  media = await startFileHost({ '/a.jpg': ['image/jpeg', await makeImage(800, 800, 'jpeg')] });
});
afterAll(() => media.close());
beforeEach(async () => {
  now = Date.UTC(2026, 10, 30, 12);
  th = new FakeThreads({ ...APP, redirectUris: [REDIRECT], now: () => now });
  base = await th.start();
  user = th.addUser({ username: 'bakery' });
  token = th.issueToken(user.id);
});
afterEach(() => th.stop());

async function get(path: string, query: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(query)}`, { redirect: 'manual' });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function post(path: string, form: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function authorize(scope = 'threads_basic,threads_content_publish'): Promise<Response> {
  const q = new URLSearchParams({
    client_id: APP.appId,
    redirect_uri: REDIRECT,
    scope,
    response_type: 'code',
    state: 's1',
  });
  return fetch(`${base}/oauth/authorize?${q}`, { redirect: 'manual' });
}

describe('fake Threads OAuth', () => {
  it('refuses an authorize request without threads_basic or with an unregistered redirect', async () => {
    th.nextConsent = { userId: user.id };
    expect((await authorize('threads_content_publish')).status).toBe(400);
    const q = new URLSearchParams({
      client_id: APP.appId,
      redirect_uri: `${REDIRECT}/`,
      scope: 'threads_basic',
      response_type: 'code',
    });
    expect((await fetch(`${base}/oauth/authorize?${q}`, { redirect: 'manual' })).status).toBe(400);
  });

  it('appends #_ to the code, and a code works once, with the same redirect_uri, within the hour', async () => {
    th.nextConsent = { userId: user.id };
    const location = (await authorize()).headers.get('location')!;
    expect(location.endsWith('#_')).toBe(true);
    const code = new URL(location).searchParams.get('code')!;
    const form = { client_id: APP.appId, client_secret: APP.appSecret, grant_type: 'authorization_code', code };
    const wrong = await post('/oauth/access_token', { ...form, redirect_uri: `${REDIRECT}/` });
    expect(wrong.body).toMatchObject({ error_type: 'OAuthException', code: 400 });
    const res = await fetch(`${base}/oauth/access_token`, {
      method: 'POST',
      body: new URLSearchParams({ ...form, redirect_uri: REDIRECT }),
    });
    const raw = await res.text();
    // user_id is a bare number above 2^53: a plain JSON.parse loses it.
    expect(raw).toContain(`"user_id":${user.id}`);
    expect(String(JSON.parse(raw).user_id)).not.toBe(user.id);
    const again = await post('/oauth/access_token', { ...form, redirect_uri: REDIRECT });
    expect(again.body.error_message).toBe('Matching code was not found or was already used');
  });

  it('exchanges only short-lived tokens and refreshes only day-old long-lived ones, ending the old token', async () => {
    const long = await get('/access_token', {
      grant_type: 'th_exchange_token',
      client_secret: APP.appSecret,
      access_token: token,
    });
    expect(long.body.error.code).toBe(100);
    expect((await get('/refresh_access_token', { grant_type: 'th_refresh_token', access_token: token })).status).toBe(
      400,
    );
    now += 25 * HOUR;
    const fresh = await get('/refresh_access_token', { grant_type: 'th_refresh_token', access_token: token });
    expect(fresh.body.access_token).not.toBe(token);
    expect(fresh.body.expires_in).toBeGreaterThan(5_000_000);
    const old = await get('/v1.0/me', { access_token: token });
    expect(old.body.error).toMatchObject({ code: 190, type: 'OAuthException' });
    expect(old.body.error.fbtrace_id).toBeTruthy();
  });
});

describe('fake Threads publishing', () => {
  const create = (form: Record<string, string>) => post(`/v1.0/${user.id}/threads`, { access_token: token, ...form });

  it('refuses malformed containers', async () => {
    expect((await create({ text: 'hi' })).body.error.code).toBe(100);
    expect((await create({ media_type: 'TEXT', text: 'x'.repeat(501) })).status).toBe(400);
    expect((await create({ media_type: 'TEXT', text: '😀'.repeat(126) })).status).toBe(400);
    const links = Array.from({ length: 6 }, (_, i) => `https://e.example/${i}`).join(' ');
    expect((await create({ media_type: 'TEXT', text: links })).body.error.code).toBe(
      'THREADS_API__LINK_LIMIT_EXCEEDED',
    );
    expect(
      (await create({ media_type: 'IMAGE', image_url: `${media.url}/a.jpg`, link_attachment: 'https://e.example' }))
        .status,
    ).toBe(400);
    expect((await create({ media_type: 'IMAGE', video_url: `${media.url}/a.jpg` })).status).toBe(400);
    expect((await create({ media_type: 'IMAGE', image_url: `${media.url}/missing.jpg` })).body.error.message).toMatch(
      /could not be fetched/,
    );
    expect((await create({ media_type: 'TEXT', text: 'a', topic_tag: 'a.b' })).status).toBe(400);
    expect((await create({ media_type: 'TEXT', text: 'a', children: '1,2' })).status).toBe(400);
    const one = (await create({ media_type: 'IMAGE', image_url: `${media.url}/a.jpg`, is_carousel_item: 'true' })).body
      .id;
    expect((await create({ media_type: 'CAROUSEL', children: one })).body.error.message).toMatch(/between 2 and 20/);
    const other = await post(`/v1.0/${th.addUser().id}/threads`, {
      access_token: token,
      media_type: 'TEXT',
      text: 'a',
    });
    expect(other.status).toBe(400);
    expect(th.containers.size).toBe(1);
  });

  it('publishes a FINISHED container once under a new id, and refuses unfinished or published ones', async () => {
    th.processingMs.TEXT = 30_000;
    const { id } = (await create({ media_type: 'TEXT', text: 'Fresh bread' })).body;
    const publish = () => post(`/v1.0/${user.id}/threads_publish`, { access_token: token, creation_id: id });
    expect((await publish()).body.error).toMatchObject({ code: 24, error_subcode: 4279009 });
    expect((await get(`/v1.0/${id}`, { access_token: token, fields: 'id,status' })).body.status).toBe('IN_PROGRESS');
    now += 30_000;
    const first = await publish();
    expect(first.body.id).not.toBe(id);
    expect((await publish()).status).toBe(400);
    expect(th.published).toHaveLength(1);
    expect((await get(`/v1.0/${id}`, { access_token: token, fields: 'status' })).body.status).toBe('PUBLISHED');
    const limit = await get(`/v1.0/${user.id}/threads_publishing_limit`, {
      access_token: token,
      fields: 'quota_usage,config',
    });
    expect(limit.body.data[0]).toEqual({ quota_usage: 1, config: { quota_total: 250, quota_duration: 86_400 } });
  });

  it('expires unpublished containers after 24 hours and lists posts newest first within bounds', async () => {
    const { id } = (await create({ media_type: 'TEXT', text: 'Old' })).body;
    now += 24 * HOUR;
    expect((await get(`/v1.0/${id}`, { access_token: token, fields: 'status' })).body.status).toBe('EXPIRED');
    expect((await get(`/v1.0/${user.id}/threads`, { access_token: token, since: '1600000000' })).status).toBe(400);
    expect((await get(`/v1.0/${user.id}/threads`, { access_token: token, limit: '101' })).status).toBe(400);
    expect((await get(`/v1.0/${user.id}/threads`, { access_token: token, fields: 'id,bogus' })).status).toBe(400);
  });

  it('injects code 10 after publishing, and refuses calls with a revoked token', async () => {
    const { id } = (await create({ media_type: 'TEXT', text: 'Ambiguous' })).body;
    th.publishThenCode10 = 1;
    const res = await post(`/v1.0/${user.id}/threads_publish`, { access_token: token, creation_id: id });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe(10);
    expect(th.published).toHaveLength(1);
    th.revokeTokens(user.id);
    expect((await get('/v1.0/me', { access_token: token })).body.error).toMatchObject({
      code: 190,
      error_subcode: 460,
    });
  });
});
