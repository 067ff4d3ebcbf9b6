import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { metaPlatform } from '../../src/platforms/meta/index.js';
import { FakeMeta } from '../fakes/meta.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { tempDir, TEST_SECRET } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';

const APP = { appId: '1234567890', appSecret: 'app-secret' };

let meta: FakeMeta;
let live: LiveHerald;
let configDir: string;
let page: { pageId: string; pageToken: string };
let accountId: string;
let clientId: string;

beforeEach(async () => {
  meta = new FakeMeta(APP);
  const url = await meta.start();
  const env = {
    META_APP_ID: APP.appId,
    META_APP_SECRET: APP.appSecret,
    META_GRAPH_URL: `${url}/v25.0`,
    META_DIALOG_URL: `${url}/v25.0/dialog/oauth`,
  };
  configDir = tempDir();
  const config = loadConfig({ DATA_DIR: configDir, SECRET_KEY: TEST_SECRET, PUBLIC_URL: 'http://127.0.0.1:9', ...env });
  const { publishers } = metaPlatform({
    config,
    log: createLogger('silent'),
    options: { pollIntervalMs: 10, slowDownMaxMs: 20, requestTimeoutMs: 5_000 },
  });
  live = await startLiveHerald(env, {
    publishers,
    engine: { backoffBaseMs: 1_000, backoffCapMs: 60_000, settleMs: 0, random: () => 0 },
  });
  // The tests drive the engine themselves: no background due checks or reconciler runs.
  await live.herald.scheduler.stop(1_000);
  const { clients, accounts } = live.herald.services;
  clientId = clients.create({ name: 'Acme Bakery', timezone: 'Europe/Berlin', approvalMode: 'none' }).id;
  page = meta.addPage({ name: 'Acme Bakery' });
  accountId = accounts.connect({
    clientId,
    platform: 'facebook',
    externalId: page.pageId,
    name: 'Acme Bakery',
    accessToken: page.pageToken,
    scopes: [],
  }).id;
});

afterEach(async () => {
  await live.close();
  await meta.stop();
  rmSync(configDir, { recursive: true, force: true });
});

async function upload(kind: 'jpeg' | 'png' | 'mp4', altText = ''): Promise<string> {
  const bytes = kind === 'mp4' ? makeMp4() : await makeImage(1080, 1080, kind);
  return (await live.herald.services.media.ingest([bytes], { clientId, altText })).id;
}

function schedule(caption: string, mediaIds: string[] = []): string {
  return live.herald.services.posts.create(
    { accountId, caption, mediaIds, scheduledAt: new Date().toISOString(), status: 'scheduled' },
    { kind: 'system' },
  ).id;
}

/** One due round, waiting for the publishes it started. */
async function round(): Promise<void> {
  live.herald.engine.runDue();
  await live.herald.engine.drain(30_000);
}

const post = (id: string) => live.herald.services.posts.get(id);
const graphCalls = (from = 0) => meta.requests.slice(from).map((r) => `${r.method} ${r.path.replace('/v25.0', '')}`);
const state = (id: string) => live.herald.repos.publishing.getAttempt(post(id).currentAttemptId!)!.state;

interface Case {
  name: string;
  caption: string;
  media: Array<'jpeg' | 'png' | 'mp4'>;
  kind: string;
  /** The publishing call (where a lost answer hurts). */
  publish: RegExp;
  calls: (p: string, ids: { post: string; video?: string }) => string[];
}

const CASES: Case[] = [
  {
    name: 'a text post',
    caption: 'Fresh bread today',
    media: [],
    kind: 'status',
    publish: /\/feed$/,
    calls: (p, ids) => [`POST /${p}/feed`, `GET /${ids.post}`],
  },
  {
    name: 'a link post',
    caption: 'Our new menu: https://example.com/menu',
    media: [],
    kind: 'link',
    publish: /\/feed$/,
    calls: (p, ids) => [`POST /${p}/feed`, `GET /${ids.post}`],
  },
  {
    name: 'one photo',
    caption: 'One loaf',
    media: ['jpeg'],
    kind: 'photo',
    publish: /\/photos$/,
    calls: (p, ids) => [`POST /${p}/photos`, `GET /${ids.post}`],
  },
  {
    name: 'several photos',
    caption: 'Three loaves',
    media: ['jpeg', 'png', 'jpeg'],
    kind: 'photo',
    publish: /\/feed$/,
    calls: (p, ids) => [
      `POST /${p}/photos`,
      `POST /${p}/photos`,
      `POST /${p}/photos`,
      `POST /${p}/feed`,
      `GET /${ids.post}`,
    ],
  },
  {
    name: 'a video',
    caption: 'Kneading',
    media: ['mp4'],
    kind: 'video',
    publish: /\/videos$/,
    calls: (p, ids) => [`POST /${p}/videos`, `GET /${ids.video}`],
  },
];

describe('Facebook publisher', () => {
  it.each(CASES)('publishes $name once, with exactly the documented calls', async (c) => {
    const mediaIds = [];
    for (const m of c.media) mediaIds.push(await upload(m));
    const id = schedule(c.caption, mediaIds);
    await round();

    expect(post(id).status).toBe('published');
    expect(meta.published).toHaveLength(1);
    const fb = meta.published[0]!;
    expect(fb).toMatchObject({ pageId: page.pageId, kind: c.kind, message: c.caption, published: true });
    expect(fb.media).toHaveLength(c.media.length);
    // Video permalinks are the video's own page (Graph's relative permalink_url, made absolute).
    const permalink =
      c.kind === 'video'
        ? `https://www.facebook.com/${page.pageId}/videos/${fb.videoId}/`
        : `https://www.facebook.com/${fb.id}`;
    expect(post(id)).toMatchObject({ externalId: fb.id, permalink });
    expect(graphCalls()).toEqual(c.calls(page.pageId, { post: fb.id, video: fb.videoId ?? undefined }));

    const publishCall = meta.calls(c.publish, 'POST').at(-1)!;
    const body = publishCall.body as Record<string, string>;
    expect(body.access_token).toBe(page.pageToken);
    if (c.kind === 'link') expect(body.link).toBe('https://example.com/menu');
    if (c.name === 'several photos') {
      // Photos uploaded unpublished in prepare, their ids saved at once, then attached
      // (docs/platforms/meta.md#several-photos).
      const uploads = meta.calls(/\/photos$/, 'POST').map((r) => r.body as Record<string, string>);
      expect(uploads.every((u) => u.published === 'false')).toBe(true);
      const photoIds = Object.values(state(id).photos as Record<string, string>);
      expect(JSON.parse(body.attached_media!)).toEqual(photoIds.map((media_fbid) => ({ media_fbid })));
      expect(fb.photoIds).toEqual(photoIds);
    }
    if (c.kind === 'video')
      expect(body).toMatchObject({ file_url: expect.stringMatching(/\/media\/.+\.mp4$/), description: 'Kneading' });
    if (c.name === 'one photo')
      expect(body).toMatchObject({ url: expect.stringMatching(/\/media\/.+\.jpg$/), caption: 'One loaf' });
  });

  it.each(CASES)(
    '$name: a lost answer to the publish call is settled by the reconciler, without a duplicate',
    async (c) => {
      const mediaIds = [];
      for (const m of c.media) mediaIds.push(await upload(m));
      const id = schedule(c.caption, mediaIds);
      meta.inject({ method: 'POST', path: c.publish, fault: { kind: 'lose-response' } });
      await round();
      expect(post(id).status).toBe('unconfirmed');
      expect(meta.published).toHaveLength(1);

      // Due rounds leave an unconfirmed post alone: no blind second send.
      await round();
      expect(meta.calls(c.publish, 'POST')).toHaveLength(1);
      await live.herald.engine.reconcile();
      expect(post(id)).toMatchObject({ status: 'published', externalId: meta.published[0]!.id, sends: 1 });
      expect(meta.published).toHaveLength(1);
    },
  );

  it(
    'a multi-photo post refused for now attaches the photos already uploaded on the next attempts, ' +
      'without uploading them again',
    async () => {
      // /feed refuses twice with a "temporarily unavailable" 4xx: clearly not posted, try again.
      meta.failNext({
        code: 100,
        subcode: 1363047,
        method: 'POST',
        path: /\/feed$/,
        times: 2,
        message: '(#100) Temporarily unavailable',
      });
      const mediaIds = [await upload('jpeg'), await upload('png'), await upload('jpeg')];
      const id = schedule('Three loaves, again', mediaIds);
      await round();
      expect(post(id)).toMatchObject({
        status: 'scheduled',
        lastError: expect.stringMatching(/temporarily unavailable/),
      });
      const uploaded = meta.calls(/\/photos$/, 'POST');
      expect(uploaded).toHaveLength(3);
      const firstIds = Object.values(state(id).photos as Record<string, string>);
      expect(firstIds).toHaveLength(3);

      // Second attempt: refused again, after reusing the photos (so the third attempt must find
      // them through this attempt's state, not only the first one's).
      await round();
      expect(post(id)).toMatchObject({ status: 'scheduled', attempts: 2 });
      expect(meta.calls(/\/photos$/, 'POST')).toHaveLength(3);

      await round();
      expect(post(id)).toMatchObject({ status: 'published', attempts: 3, externalId: meta.published[0]!.id });
      expect(meta.calls(/\/photos$/, 'POST')).toHaveLength(3);
      expect(meta.fb.photos.size).toBe(3);
      const attached = meta
        .calls(/\/feed$/, 'POST')
        .map((r) => JSON.parse((r.body as Record<string, string>).attached_media!) as unknown);
      expect(attached).toEqual([0, 1, 2].map(() => firstIds.map((media_fbid) => ({ media_fbid }))));
      expect(meta.published).toHaveLength(1);
      expect(meta.published[0]!.photoIds).toEqual(firstIds);
    },
  );

  it('a multi-photo post refused for good uploads its photos afresh when it is retried by hand', async () => {
    meta.failNext({
      code: 100,
      method: 'POST',
      path: /\/feed$/,
      message: '(#100) param attached_media[0] has invalid media_fbid',
    });
    const id = schedule('Two loaves', [await upload('jpeg'), await upload('jpeg')]);
    await round();
    expect(post(id).status).toBe('failed');
    expect(meta.calls(/\/photos$/, 'POST')).toHaveLength(2);
    live.herald.services.posts.act(id, 'retry', { kind: 'system' });
    await round();
    expect(post(id).status).toBe('published');
    expect(meta.calls(/\/photos$/, 'POST')).toHaveLength(4);
    expect(meta.published).toHaveLength(1);
  });

  it('treats a 506 duplicate as unknown and lets the lookup find the identical post', async () => {
    const first = schedule('Same words');
    await round();
    const second = schedule('Same words');
    await round();
    expect(post(second).status).toBe('unconfirmed');
    expect(post(second).lastError).toMatch(/identical post/);
    await live.herald.engine.reconcile();
    expect(post(second)).toMatchObject({ status: 'published', externalId: post(first).externalId });
    expect(meta.published).toHaveLength(1);
  });

  it('proves absence from a complete listing and sends once more', async () => {
    const id = schedule('Reset before Facebook saw it');
    meta.inject({ method: 'POST', path: /\/feed$/, fault: { kind: 'reset' } });
    await round();
    expect(post(id).status).toBe('unconfirmed');
    const from = meta.requests.length;
    await live.herald.engine.reconcile();
    expect(graphCalls(from)).toEqual([`GET /${page.pageId}/published_posts`]);
    expect(post(id).status).toBe('scheduled');
    await round();
    expect(post(id)).toMatchObject({ status: 'published', sends: 2 });
    expect(meta.published.map((p) => p.message)).toEqual(['Reset before Facebook saw it']);
  });

  it('a revoked Page token marks the account for reconnecting; nothing more is called', async () => {
    meta.revokeToken(page.pageToken, 460);
    const id = schedule('Never sent');
    await round();
    const account = live.herald.services.accounts.get(accountId);
    expect(account.status).toBe('needs_reauth');
    expect(account.lastError).toMatch(/password was changed/);
    expect(post(id)).toMatchObject({ status: 'scheduled', attempts: 0 });
    const calls = meta.requests.length;
    await round();
    expect(meta.requests.length).toBe(calls);
    expect(meta.published).toHaveLength(0);
  });

  it('a throttle with Page usage at 100 % pauses the account for the time the header estimates', async () => {
    meta.throttle({ code: 80001, path: /\/feed$/, minutesToRegain: 7 });
    const id = schedule('Throttled');
    const before = Date.now();
    await round();
    const p = post(id);
    expect(p.status).toBe('scheduled');
    expect(p.lastError).toMatch(/slow down/);
    expect(p.dueAt! - before).toBeGreaterThanOrEqual(7 * 60_000);
    expect(p.dueAt! - Date.now()).toBeLessThanOrEqual(7 * 60_000);
    const account = live.herald.services.accounts.get(accountId);
    expect(account.pausedUntil).toBe(p.dueAt);
    expect(meta.published).toHaveLength(0);
  });

  it('app usage at 100 % pauses the whole platform for an hour', async () => {
    meta.throttle({ code: 4 });
    const id = schedule('App throttled');
    await round();
    expect(post(id).status).toBe('scheduled');
    const limits = live.herald.repos.system.activeRateLimits(Date.now());
    expect(limits.map((l) => l.scope)).toEqual(['platform:facebook']);
    expect(limits[0]!.until - Date.now()).toBeGreaterThan(59 * 60_000);
  });

  it('fails a refused photo with the plain-words reason', async () => {
    meta.failNext({ code: 100, subcode: 1366046, path: /\/photos$/, message: '(#100) Invalid image' });
    const id = schedule('Too big', [await upload('jpeg')]);
    await round();
    expect(post(id)).toMatchObject({
      status: 'failed',
      lastError: 'Facebook refused the photo: photos must be JPG or PNG and smaller than 4 MB.',
    });
    expect(meta.published).toHaveLength(0);
  });
});
