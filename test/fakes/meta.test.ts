import sharp from 'sharp';
import { startFileHost, type FileHost } from '../helpers/media-fixtures.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeMeta } from './meta.js';

const APP = { appId: '1234567890', appSecret: 'app-secret' };
const REDIRECT = 'http://127.0.0.1:9/auth/meta/callback';
const SCOPE =
  'pages_show_list,pages_read_engagement,pages_manage_posts,business_management,' +
  'instagram_basic,instagram_content_publish,publish_video';

/** Stands in for Herald's public media URLs; the fake downloads from it. */
async function startMediaHost(): Promise<FileHost> {
  const jpeg = await sharp({ create: { width: 1080, height: 1080, channels: 3, background: '#888' } })
    .jpeg()
    .toBuffer();
  const wide = await sharp({ create: { width: 2000, height: 500, channels: 3, background: '#888' } })
    .jpeg()
    .toBuffer();
  const png = await sharp({ create: { width: 800, height: 800, channels: 3, background: '#888' } })
    .png()
    .toBuffer();
  const mp4 = Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from('ftypisom'),
    Buffer.alloc(12),
    Buffer.alloc(50_000),
  ]);
  const files: Record<string, [string, Buffer]> = {
    '/photo.jpg': ['image/jpeg', jpeg],
    '/wide.jpg': ['image/jpeg', wide],
    '/photo.png': ['image/png', png],
    '/clip.mp4': ['video/mp4', mp4],
    '/page.html': ['text/html', Buffer.from('<html>not media</html>')],
  };
  return startFileHost(files, { '/moved.jpg': '/photo.jpg' });
}

let media: FileHost;
let meta: FakeMeta;
let graphUrl: string;

beforeAll(async () => {
  media = await startMediaHost();
});
afterAll(async () => {
  await media.close();
});
beforeEach(async () => {
  meta = new FakeMeta(APP);
  graphUrl = `${await meta.start()}/v25.0`;
});
afterEach(async () => {
  await meta.stop();
});

type Params = Record<string, string>;

async function graph(method: string, path: string, params: Params = {}, body?: { json?: unknown; form?: Params }) {
  const url = path.startsWith('http') ? path : `${graphUrl}${path}?${new URLSearchParams(params)}`;
  const init: RequestInit = { method };
  if (body?.json !== undefined) init.body = JSON.stringify(body.json);
  if (body?.form) init.body = new URLSearchParams(body.form);
  if (body?.json !== undefined) init.headers = { 'content-type': 'application/json' };
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

/** Dialog → code → short-lived → long-lived, as Herald's connect flow does. */
async function login(scope = SCOPE): Promise<{ short: string; long: string }> {
  const query = new URLSearchParams({
    client_id: APP.appId,
    redirect_uri: REDIRECT,
    state: 'st-1',
    scope,
    response_type: 'code',
  });
  const dialog = `${graphUrl}/dialog/oauth?${query}`;
  const res = await fetch(dialog, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(back.origin + back.pathname).toBe(REDIRECT);
  expect(back.searchParams.get('state')).toBe('st-1');
  const code = back.searchParams.get('code')!;
  const short = await graph('GET', '/oauth/access_token', {
    client_id: APP.appId,
    client_secret: APP.appSecret,
    redirect_uri: REDIRECT,
    code,
  });
  expect(short.status).toBe(200);
  const long = await graph('GET', '/oauth/access_token', {
    grant_type: 'fb_exchange_token',
    client_id: APP.appId,
    client_secret: APP.appSecret,
    fb_exchange_token: short.json.access_token,
  });
  expect(long.json.expires_in).toBeGreaterThan(5_000_000);
  return { short: short.json.access_token, long: long.json.access_token };
}

describe('Meta fake: login and tokens', () => {
  it('exchanges a single-use code bound to the exact redirect_uri', async () => {
    const res = await fetch(
      `${graphUrl}/dialog/oauth?` +
        new URLSearchParams({ client_id: APP.appId, redirect_uri: REDIRECT, state: 'x', scope: SCOPE }).toString(),
      { redirect: 'manual' },
    );
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const otherUri = await graph(
      'POST',
      '/oauth/access_token',
      {},
      { form: { client_id: APP.appId, client_secret: APP.appSecret, redirect_uri: `${REDIRECT}/`, code } },
    );
    expect(otherUri.status).toBe(400);
    expect(otherUri.json.error).toMatchObject({ type: 'OAuthException', code: 100 });
    expect(otherUri.json.error.fbtrace_id).toBeTruthy();
    const ok = await graph(
      'POST',
      '/oauth/access_token',
      {},
      { form: { client_id: APP.appId, client_secret: APP.appSecret, redirect_uri: REDIRECT, code } },
    );
    expect(ok.json).toMatchObject({ token_type: 'bearer', expires_in: meta.auth.shortLivedTtlSec });
    const again = await graph('GET', '/oauth/access_token', {
      client_id: APP.appId,
      client_secret: APP.appSecret,
      redirect_uri: REDIRECT,
      code,
    });
    expect(again.json.error).toMatchObject({ code: 100, error_subcode: 36009 });
    const badSecret = await graph('GET', '/oauth/access_token', {
      client_id: APP.appId,
      client_secret: 'nope',
      redirect_uri: REDIRECT,
      code,
    });
    expect(badSecret.status).toBe(400);
  });

  it('refuses an unknown client_id in the dialog and reports a denial', async () => {
    const wrong = await fetch(`${graphUrl}/dialog/oauth?client_id=999&redirect_uri=${encodeURIComponent(REDIRECT)}`, {
      redirect: 'manual',
    });
    expect(wrong.status).toBe(400);
    meta.user.denyLogin = true;
    const res = await fetch(
      `${graphUrl}/dialog/oauth?` +
        new URLSearchParams({ client_id: APP.appId, redirect_uri: REDIRECT, state: 's', scope: SCOPE }).toString(),
      { redirect: 'manual' },
    );
    const back = new URL(res.headers.get('location')!).searchParams;
    expect(back.get('error')).toBe('access_denied');
    expect(back.get('error_reason')).toBe('user_denied');
    expect(back.get('error_description')).toBeTruthy();
    expect(back.get('state')).toBe('s');
    expect(back.get('code')).toBeNull();
  });

  it('shows declined permissions and hides Pages without pages_show_list', async () => {
    meta.addPage({ name: 'Bakery' });
    meta.declinePermissions('pages_show_list', 'instagram_content_publish');
    const { long } = await login();
    const perms = await graph('GET', '/me/permissions', { access_token: long });
    const status = Object.fromEntries(
      perms.json.data.map((p: { permission: string; status: string }) => [p.permission, p.status]),
    );
    expect(status).toMatchObject({
      pages_manage_posts: 'granted',
      pages_show_list: 'declined',
      instagram_content_publish: 'declined',
    });
    expect((await graph('GET', '/me/accounts', { access_token: long })).json.data).toEqual([]);
  });

  it('debugs user and page tokens; page tokens from a long-lived user token never expire', async () => {
    const { pageId } = meta.addPage({ name: 'Bakery' });
    const { short, long } = await login();
    const appToken = `${APP.appId}|${APP.appSecret}`;
    const user = await graph('GET', '/debug_token', { input_token: long, access_token: appToken });
    expect(user.json.data).toMatchObject({ type: 'USER', is_valid: true, app_id: APP.appId });
    expect(user.json.data.scopes).toContain('pages_manage_posts');
    const pageToken = (await graph('GET', `/${pageId}`, { fields: 'access_token', access_token: long })).json
      .access_token;
    const page = await graph('GET', '/debug_token', { input_token: pageToken, access_token: appToken });
    expect(page.json.data).toMatchObject({ type: 'PAGE', is_valid: true, expires_at: 0, profile_id: pageId });
    // A page token fetched with the short-lived user token expires with it (docs/platforms/meta.md#token-lifetimes).
    const shortPage = (await graph('GET', `/${pageId}`, { fields: 'access_token', access_token: short })).json
      .access_token;
    expect(
      (await graph('GET', '/debug_token', { input_token: shortPage, access_token: appToken })).json.data.expires_at,
    ).toBeGreaterThan(0);
    meta.revokeToken(pageToken, 460);
    const revoked = await graph('GET', '/debug_token', { input_token: pageToken, access_token: appToken });
    expect(revoked.json.data).toMatchObject({ is_valid: false, error: { code: 190, subcode: 460 } });
  });
});

describe('Meta fake: pages', () => {
  it('pages through /me/accounts and reaches Business Manager pages', async () => {
    const direct = ['A', 'B', 'C'].map((name) =>
      meta.addPage({ name: `Page ${name}`, instagram: name === 'A' ? { username: 'page_a' } : undefined }),
    );
    const biz = meta.addBusiness('Agency BM');
    const owned = meta.addPage({ name: 'Owned via BM', business: biz });
    const client = meta.addPage({ name: 'Client via BM', business: biz, relation: 'client' });
    const { long } = await login();

    const seen: Array<{ id: string; access_token: string }> = [];
    let res = await graph('GET', '/me/accounts', {
      fields: 'id,name,access_token,tasks,picture.type(large)',
      limit: '2',
      access_token: long,
    });
    expect(res.json.data).toHaveLength(2);
    expect(res.json.paging.cursors.after).toBeTruthy();
    seen.push(...res.json.data);
    while (res.json.paging?.next) {
      expect(res.json.paging.next.startsWith(graphUrl)).toBe(true);
      res = await graph('GET', res.json.paging.next);
      seen.push(...res.json.data);
    }
    expect(seen.map((p) => p.id)).toEqual(direct.map((d) => d.pageId));
    expect(seen[0]!.access_token).toBe(direct[0]!.pageToken);

    const businesses = await graph('GET', '/me/businesses', { access_token: long });
    expect(businesses.json.data).toEqual([{ id: biz, name: 'Agency BM' }]);
    const ownedPages = await graph('GET', `/${biz}/owned_pages`, {
      fields: 'id,name,access_token',
      access_token: long,
    });
    expect(ownedPages.json.data).toEqual([{ id: owned.pageId, name: 'Owned via BM', access_token: owned.pageToken }]);
    const clientPages = await graph('GET', `/${biz}/client_pages`, { access_token: long });
    expect(clientPages.json.data.map((p: { id: string }) => p.id)).toEqual([client.pageId]);

    const linked = await graph('GET', `/${direct[0]!.pageId}`, {
      fields: 'instagram_business_account',
      access_token: long,
    });
    expect(linked.json.instagram_business_account).toEqual({ id: direct[0]!.igUserId });
    const ig = await graph('GET', `/${direct[0]!.igUserId}`, {
      fields: 'username,name',
      access_token: direct[0]!.pageToken,
    });
    expect(ig.json).toEqual({ id: direct[0]!.igUserId, username: 'page_a', name: 'Page A' });
    const typo = await graph('GET', `/${direct[1]!.pageId}`, {
      fields: 'instagram_bussiness_account',
      access_token: long,
    });
    expect(typo.json.error.code).toBe(100);
  });

  it('needs business_management for the Business Manager path', async () => {
    meta.addBusiness();
    meta.declinePermissions('business_management');
    const { long } = await login();
    const res = await graph('GET', '/me/businesses', { access_token: long });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe(200);
  });
});

describe('Meta fake: Facebook publishing', () => {
  it('publishes a feed post once, answers permalink_url, and refuses a duplicate message', async () => {
    const { pageId, pageToken } = meta.addPage({ name: 'Bakery' });
    const first = await graph(
      'POST',
      `/${pageId}/feed`,
      { fields: 'id,permalink_url' },
      { json: { message: 'Fresh bread today', link: 'https://example.com/bread', access_token: pageToken } },
    );
    expect(first.status).toBe(200);
    expect(first.json.id).toMatch(new RegExp(`^${pageId}_\\d+$`));
    expect(first.json.permalink_url).toBe(`https://www.facebook.com/${first.json.id}`);
    const dup = await graph(
      'POST',
      `/${pageId}/feed`,
      {},
      { form: { message: 'Fresh bread today', access_token: pageToken } },
    );
    expect(dup.json.error).toMatchObject({ code: 506, type: 'OAuthException' });
    const form = await graph(
      'POST',
      `/${pageId}/feed`,
      {},
      { form: { message: 'Croissants at noon', access_token: pageToken } },
    );
    expect(form.json).toEqual({ id: expect.stringMatching(/_/) });
    expect(meta.published.map((p) => [p.pageId, p.kind, p.message])).toEqual([
      [pageId, 'link', 'Fresh bread today'],
      [pageId, 'status', 'Croissants at noon'],
    ]);
  });

  it('publishes only with that Page’s token and the publishing permissions', async () => {
    const a = meta.addPage({ name: 'A' });
    const b = meta.addPage({ name: 'B' });
    const viewer = meta.addPage({ name: 'C', tasks: ['ANALYZE'] });
    const { long } = await login();
    expect((await graph('POST', `/${a.pageId}/feed`, { message: 'x', access_token: long })).json.error.code).toBe(200);
    expect(
      (await graph('POST', `/${a.pageId}/feed`, { message: 'x', access_token: b.pageToken })).json.error.code,
    ).toBe(200);
    expect(
      (await graph('POST', `/${viewer.pageId}/feed`, { message: 'x', access_token: viewer.pageToken })).json.error.code,
    ).toBe(200);
    expect(meta.published).toHaveLength(0);
  });

  it('fetches photo and video URLs itself and refuses redirects and wrong types', async () => {
    const { pageId, pageToken } = meta.addPage({ name: 'Bakery' });
    const single = await graph(
      'POST',
      `/${pageId}/photos`,
      {},
      { json: { url: `${media.url}/photo.jpg`, caption: 'One loaf', access_token: pageToken } },
    );
    expect(single.json).toEqual({ id: expect.any(String), post_id: expect.stringMatching(new RegExp(`^${pageId}_`)) });

    const moved = await graph('POST', `/${pageId}/photos`, { url: `${media.url}/moved.jpg`, access_token: pageToken });
    expect(moved.status).toBe(400);
    expect(moved.json.error.code).toBe(100);
    const html = await graph('POST', `/${pageId}/photos`, { url: `${media.url}/page.html`, access_token: pageToken });
    expect(html.json.error.error_subcode).toBe(1366046);

    const ids: string[] = [];
    for (const file of ['photo.jpg', 'photo.png']) {
      const res = await graph('POST', `/${pageId}/photos`, {
        url: `${media.url}/${file}`,
        published: 'false',
        access_token: pageToken,
      });
      expect(res.json.post_id).toBeUndefined();
      ids.push(res.json.id);
    }
    const album = await graph(
      'POST',
      `/${pageId}/feed`,
      {},
      {
        json: { message: 'Two loaves', attached_media: ids.map((id) => ({ media_fbid: id })), access_token: pageToken },
      },
    );
    expect(album.json.id).toBeTruthy();
    const reuse = await graph(
      'POST',
      `/${pageId}/feed`,
      {},
      {
        form: {
          message: 'Again',
          'attached_media[0]': JSON.stringify({ media_fbid: ids[0] }),
          access_token: pageToken,
        },
      },
    );
    expect(reuse.json.error.code).toBe(100);

    const upload = new FormData();
    upload.set('access_token', pageToken);
    upload.set('caption', 'Uploaded');
    upload.set(
      'source',
      new Blob(
        [
          await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } })
            .jpeg()
            .toBuffer(),
        ],
        { type: 'image/jpeg' },
      ),
      'x.jpg',
    );
    const multipart = await (await fetch(`${graphUrl}/${pageId}/photos`, { method: 'POST', body: upload })).json();
    expect(multipart.post_id).toBeTruthy();

    const video = await graph(
      'POST',
      `/${pageId}/videos`,
      {},
      { form: { file_url: `${media.url}/clip.mp4`, description: 'Kneading', access_token: pageToken } },
    );
    expect(video.json.id).toBeTruthy();
    const notVideo = await graph('POST', `/${pageId}/videos`, {
      file_url: `${media.url}/photo.jpg`,
      access_token: pageToken,
    });
    expect(notVideo.status).toBe(400);

    expect(meta.published.map((p) => [p.kind, p.message, p.media.length])).toEqual([
      ['photo', 'One loaf', 1],
      ['photo', 'Two loaves', 2],
      ['photo', 'Uploaded', 1],
      ['video', 'Kneading', 1],
    ]);
    expect(meta.published[1]!.media.map((m) => m.contentType)).toEqual(['image/jpeg', 'image/png']);
    expect(meta.mediaFetches.find((f) => f.url.endsWith('/moved.jpg'))?.problem).toMatch(/redirect/);
  });

  it('lists published posts newest first for reconciliation, even when the answer was lost', async () => {
    const { pageId, pageToken } = meta.addPage({ name: 'Bakery' });
    const t0 = Date.now();
    meta.now = () => t0 - 3_600_000;
    await graph('POST', `/${pageId}/feed`, { message: 'old', access_token: pageToken });
    meta.now = () => t0;
    meta.inject({ path: /\/feed$/, fault: { kind: 'lose-response' } });
    await expect(
      graph('POST', `/${pageId}/feed`, { message: 'lost answer', access_token: pageToken }),
    ).rejects.toThrow();
    await graph('POST', `/${pageId}/feed`, { message: 'newest', access_token: pageToken });
    const all = await graph('GET', `/${pageId}/published_posts`, {
      fields: 'id,message,created_time,permalink_url',
      access_token: pageToken,
    });
    expect(all.json.data.map((p: { message: string }) => p.message)).toEqual(['newest', 'lost answer', 'old']);
    expect(all.json.data[0].created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    const since = await graph('GET', `/${pageId}/published_posts`, {
      fields: 'id,message',
      since: String(Math.floor(t0 / 1000) - 60),
      access_token: pageToken,
    });
    expect(since.json.data.map((p: { message: string }) => p.message)).toEqual(['newest', 'lost answer']);
    expect(meta.published.filter((p) => p.message === 'lost answer')).toHaveLength(1);
  });
});

describe('Meta fake: Instagram publishing', () => {
  async function ig() {
    const page = meta.addPage({ name: 'Bakery', instagram: { username: 'bakery' } });
    const igId = page.igUserId!;
    const call = (method: string, path: string, params: Params = {}) =>
      graph(method, path, { ...params, access_token: page.pageToken });
    return { igId, call };
  }

  it('publishes an image container and gives its permalink', async () => {
    const { igId, call } = await ig();
    const container = await call('POST', `/${igId}/media`, {
      image_url: `${media.url}/photo.jpg`,
      caption: 'Sourdough #bread',
      alt_text: 'A loaf',
    });
    expect((await call('GET', `/${container.json.id}`, { fields: 'status_code,status' })).json.status_code).toBe(
      'FINISHED',
    );
    const published = await call('POST', `/${igId}/media_publish`, { creation_id: container.json.id });
    expect(published.json.id).toBeTruthy();
    const permalink = await call('GET', `/${published.json.id}`, { fields: 'permalink' });
    expect(permalink.json.permalink).toMatch(/^https:\/\/www\.instagram\.com\/p\/.+\/$/);
    expect((await call('GET', `/${container.json.id}`, { fields: 'status_code' })).json.status_code).toBe('PUBLISHED');
    const again = await call('POST', `/${igId}/media_publish`, { creation_id: container.json.id });
    expect(again.json.error).toMatchObject({ code: 100, is_transient: false });
    expect(meta.igPublished).toHaveLength(1);
    expect(meta.igPublished[0]).toMatchObject({
      igUserId: igId,
      mediaType: 'IMAGE',
      caption: 'Sourdough #bread',
      altText: 'A loaf',
    });
  });

  it('refuses non-JPEG, redirected and badly proportioned images with Instagram error codes', async () => {
    const { igId, call } = await ig();
    const png = await call('POST', `/${igId}/media`, { image_url: `${media.url}/photo.png` });
    expect(png.json.error).toMatchObject({ code: 36001, error_subcode: 2207005 });
    const moved = await call('POST', `/${igId}/media`, { image_url: `${media.url}/moved.jpg` });
    expect(moved.json.error).toMatchObject({ code: 9004, error_subcode: 2207052 });
    const wide = await call('POST', `/${igId}/media`, { image_url: `${media.url}/wide.jpg` });
    expect(wide.json.error).toMatchObject({ code: 36003, error_subcode: 2207009 });
    expect(meta.ig.containers.size).toBe(0);
  });

  it('publishes a carousel of an image and a video once the video is processed', async () => {
    const { igId, call } = await ig();
    meta.ig.videoPollsBeforeFinished = 1;
    const a = await call('POST', `/${igId}/media`, { image_url: `${media.url}/photo.jpg`, is_carousel_item: 'true' });
    const b = await call('POST', `/${igId}/media`, {
      video_url: `${media.url}/clip.mp4`,
      media_type: 'VIDEO',
      is_carousel_item: 'true',
    });
    const tooFew = await call('POST', `/${igId}/media`, { media_type: 'CAROUSEL', children: a.json.id });
    expect(tooFew.json.error).toMatchObject({ code: 100, error_subcode: 2207028 });
    const parent = await call('POST', `/${igId}/media`, {
      media_type: 'CAROUSEL',
      children: `${a.json.id},${b.json.id}`,
      caption: 'Two views',
    });
    const early = await call('POST', `/${igId}/media_publish`, { creation_id: parent.json.id });
    expect(early.json.error).toMatchObject({ code: 9007, error_subcode: 2207027 });
    expect((await call('GET', `/${parent.json.id}`, { fields: 'status_code' })).json.status_code).toBe('IN_PROGRESS');
    expect((await call('GET', `/${parent.json.id}`, { fields: 'status_code' })).json.status_code).toBe('FINISHED');
    const done = await call('POST', `/${igId}/media_publish`, { creation_id: parent.json.id });
    expect(done.json.id).toBeTruthy();
    expect(meta.igPublished).toHaveLength(1);
    expect(meta.igPublished[0]!.media.map((m) => m.type)).toEqual(['IMAGE', 'VIDEO']);
  });

  it('publishes a reel after IN_PROGRESS polls and enforces the daily limit', async () => {
    const { igId, call } = await ig();
    meta.ig.quotaTotal = 1;
    const reel = await call('POST', `/${igId}/media`, {
      video_url: `${media.url}/clip.mp4`,
      media_type: 'REELS',
      caption: 'Kneading',
    });
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await call('GET', `/${reel.json.id}`, { fields: 'status_code,status' })).json.status_code);
    expect(statuses).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'FINISHED', 'FINISHED', 'FINISHED']);
    expect((await call('POST', `/${igId}/media_publish`, { creation_id: reel.json.id })).json.id).toBeTruthy();
    const limit = await call('GET', `/${igId}/content_publishing_limit`, { fields: 'quota_usage,config' });
    expect(limit.json).toEqual({ data: [{ quota_usage: 1, config: { quota_total: 1, quota_duration: 86400 } }] });
    const second = await call('POST', `/${igId}/media`, { image_url: `${media.url}/photo.jpg` });
    const over = await call('POST', `/${igId}/media_publish`, { creation_id: second.json.id });
    expect(over.json.error).toMatchObject({ code: 9, error_subcode: 2207042 });
    expect(meta.igPublished.map((m) => m.mediaType)).toEqual(['REELS']);
    expect((await call('GET', `/${meta.igPublished[0]!.mediaId}`, { fields: 'permalink' })).json.permalink).toContain(
      '/reel/',
    );
  });
});

describe('Meta fake: failures', () => {
  it('answers 190 for revoked and expired tokens', async () => {
    const { pageId, pageToken } = meta.addPage({ name: 'Bakery' });
    meta.revokeToken(pageToken, 460);
    const revoked = await graph('POST', `/${pageId}/feed`, { message: 'hi', access_token: pageToken });
    expect(revoked.status).toBe(400);
    expect(revoked.json.error).toMatchObject({ type: 'OAuthException', code: 190, error_subcode: 460 });
    const { long } = await login();
    meta.expireToken(long);
    expect((await graph('GET', '/me/accounts', { access_token: long })).json.error).toMatchObject({
      code: 190,
      error_subcode: 463,
    });
    expect(meta.published).toHaveLength(0);
  });

  it('always sends usage headers and throttles with regain estimates', async () => {
    const { pageId, pageToken } = meta.addPage({ name: 'Bakery' });
    meta.appUsage = { call_count: 42, total_time: 10, total_cputime: 5 };
    const ok = await graph('GET', `/${pageId}`, { fields: 'name', access_token: pageToken });
    expect(JSON.parse(ok.headers.get('x-app-usage')!)).toEqual({ call_count: 42, total_time: 10, total_cputime: 5 });
    expect(JSON.parse(ok.headers.get('x-business-use-case-usage')!)[pageId][0]).toMatchObject({
      type: 'pages',
      call_count: 1,
    });

    meta.throttle({ code: 80001, path: /\/feed$/, minutesToRegain: 7 });
    const throttled = await graph('POST', `/${pageId}/feed`, { message: 'hi', access_token: pageToken });
    expect(throttled.json.error).toMatchObject({ code: 80001, is_transient: true });
    const buc = JSON.parse(throttled.headers.get('x-business-use-case-usage')!)[pageId][0];
    expect(buc).toMatchObject({ call_count: 100, estimated_time_to_regain_access: 7 });
    meta.throttle({ code: 4 });
    const app = await graph('GET', `/${pageId}`, { access_token: pageToken });
    expect(app.json.error.code).toBe(4);
    expect(JSON.parse(app.headers.get('x-app-usage')!).call_count).toBe(100);
    expect((await graph('POST', `/${pageId}/feed`, { message: 'hi', access_token: pageToken })).status).toBe(200);
    expect(meta.published).toHaveLength(1);

    meta.failNext({ code: 2, message: 'Service temporarily unavailable' });
    const down = await graph('GET', `/${pageId}`, { access_token: pageToken });
    expect(down.status).toBe(500);
    expect(down.json.error).toMatchObject({ code: 2, is_transient: true });
  });
});
