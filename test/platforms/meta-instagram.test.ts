import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { metaPlatform } from '../../src/platforms/meta/index.js';
import { FakeMeta } from '../fakes/meta.js';
import { startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { FastForwardClock } from '../helpers/fast-clock.js';
import { tempDir, TEST_SECRET } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';

const APP = { appId: '1234567890', appSecret: 'app-secret' };

let meta: FakeMeta;
let live: LiveHerald;
let configDir: string;
let page: { pageId: string; pageToken: string; igUserId: string | null };
let ig: string;
let accountId: string;
let clientId: string;

/** `clock`: the platform on a FastForwardClock with production poll timing (10 s polls for 5 min). */
async function start(options: { clock?: FastForwardClock } = {}): Promise<void> {
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
  const timing = options.clock
    ? { clock: options.clock, options: { requestTimeoutMs: 5_000 } }
    : { options: { pollIntervalMs: 10, pollTimeoutMs: 5_000, slowDownMaxMs: 20, requestTimeoutMs: 5_000 } };
  const { publishers } = metaPlatform({ config, log: createLogger('silent'), ...timing });
  live = await startLiveHerald(env, {
    publishers,
    engine: { backoffBaseMs: 1_000, backoffCapMs: 60_000, settleMs: 0, random: () => 0 },
  });
  await live.herald.scheduler.stop(1_000);
  const { clients, accounts } = live.herald.services;
  clientId = clients.create({ name: 'Acme Bakery', timezone: 'Europe/Berlin', approvalMode: 'none' }).id;
  page = meta.addPage({ name: 'Acme Bakery', instagram: { username: 'acme.bakery' } });
  ig = page.igUserId!;
  const parent = accounts.connect({
    clientId,
    platform: 'facebook',
    externalId: page.pageId,
    name: 'Acme Bakery',
    accessToken: page.pageToken,
    scopes: [],
  });
  accountId = accounts.connect({
    clientId,
    platform: 'instagram',
    externalId: ig,
    name: 'acme.bakery',
    accessToken: page.pageToken,
    scopes: [],
    parentAccountId: parent.id,
  }).id;
}

beforeEach(() => start());

afterEach(async () => {
  await live.close();
  await meta.stop();
  rmSync(configDir, { recursive: true, force: true });
});

async function upload(kind: 'jpeg' | 'png' | 'mp4', altText = ''): Promise<string> {
  const bytes = kind === 'mp4' ? makeMp4() : await makeImage(1080, 1080, kind);
  return (await live.herald.services.media.ingest([bytes], { clientId, altText })).id;
}

function schedule(caption: string, mediaIds: string[]): string {
  return live.herald.services.posts.create(
    { accountId, caption, mediaIds, scheduledAt: new Date().toISOString(), status: 'scheduled' },
    { kind: 'system' },
  ).id;
}

async function round(): Promise<void> {
  live.herald.engine.runDue();
  await live.herald.engine.drain(30_000);
}

const post = (id: string) => live.herald.services.posts.get(id);
const graphCalls = (from = 0) => meta.requests.slice(from).map((r) => `${r.method} ${r.path.replace('/v25.0', '')}`);
const bodies = (path: RegExp) => meta.calls(path, 'POST').map((r) => r.body as Record<string, string>);
const state = (id: string) => live.herald.repos.publishing.getAttempt(post(id).currentAttemptId!)!.state;

describe('Instagram publisher', () => {
  it('publishes an image, converting the PNG upload to JPEG, with exactly the documented calls', async () => {
    const id = schedule('Sourdough #bread', [await upload('png', 'A round loaf')]);
    await round();

    expect(post(id).status).toBe('published');
    expect(meta.igPublished).toHaveLength(1);
    const media = meta.igPublished[0]!;
    expect(media).toMatchObject({
      igUserId: ig,
      mediaType: 'IMAGE',
      caption: 'Sourdough #bread',
      altText: 'A round loaf',
    });
    const container = media.containerId;
    expect(graphCalls()).toEqual([
      `GET /${ig}/content_publishing_limit`,
      `POST /${ig}/media`,
      `GET /${container}`,
      `POST /${ig}/media_publish`,
      `GET /${media.mediaId}`,
    ]);
    const [create] = bodies(/\/media$/);
    expect(create!.image_url).toMatch(/\/media\/.+\.jpg$/);
    expect(meta.mediaFetches.at(-1)).toMatchObject({ contentType: 'image/jpeg', problem: null });
    expect(bodies(/\/media_publish$/)[0]).toMatchObject({ creation_id: container, access_token: page.pageToken });
    expect(state(id)).toMatchObject({ containerId: container, mediaId: media.mediaId });
    expect(post(id)).toMatchObject({ externalId: media.mediaId, permalink: media.permalink });
  });

  it('publishes a carousel: children first, the video child processed, then the parent', async () => {
    meta.ig.videoPollsBeforeFinished = 1;
    const id = schedule('Two loaves and a video', [
      await upload('jpeg', 'First'),
      await upload('png'),
      await upload('mp4'),
    ]);
    await round();

    expect(post(id).status).toBe('published');
    expect(meta.igPublished).toHaveLength(1);
    const published = meta.igPublished[0]!;
    expect(published).toMatchObject({ mediaType: 'CAROUSEL', caption: 'Two loaves and a video' });
    expect(published.media.map((m) => m.type)).toEqual(['IMAGE', 'IMAGE', 'VIDEO']);
    const created = bodies(/\/media$/);
    expect(created.slice(0, 3).map((b) => [b.is_carousel_item, b.media_type, b.caption])).toEqual([
      ['true', undefined, undefined],
      ['true', undefined, undefined],
      ['true', 'VIDEO', undefined],
    ]);
    expect(created[0]!.alt_text).toBe('First');
    const children = state(id).children as string[];
    expect(created[3]).toMatchObject({
      media_type: 'CAROUSEL',
      children: children.join(','),
      caption: 'Two loaves and a video',
    });
    const parent = published.containerId;
    expect(graphCalls()).toEqual([
      `GET /${ig}/content_publishing_limit`,
      `POST /${ig}/media`,
      `POST /${ig}/media`,
      `POST /${ig}/media`,
      `GET /${children[0]}`,
      `GET /${children[1]}`,
      `GET /${children[2]}`,
      `GET /${children[2]}`,
      `POST /${ig}/media`,
      `GET /${parent}`,
      `POST /${ig}/media_publish`,
      `GET /${published.mediaId}`,
    ]);
  });

  it('publishes a video as a Reel after the IN_PROGRESS polls', async () => {
    const id = schedule('Kneading', [await upload('mp4')]);
    await round();

    expect(post(id).status).toBe('published');
    const reel = meta.igPublished[0]!;
    expect(reel).toMatchObject({ mediaType: 'REELS', caption: 'Kneading' });
    expect(bodies(/\/media$/)[0]).toMatchObject({
      media_type: 'REELS',
      video_url: expect.stringMatching(/\.mp4$/),
      share_to_feed: 'true',
    });
    // videoPollsBeforeFinished = 2: two IN_PROGRESS answers, then FINISHED.
    expect(graphCalls().filter((c) => c === `GET /${reel.containerId}`)).toHaveLength(3);
    expect(post(id).permalink).toContain('/reel/');
  });

  it.each([
    ['an image', ['jpeg'] as const],
    ['a carousel', ['jpeg', 'jpeg'] as const],
    ['a Reel', ['mp4'] as const],
  ])(
    '%s: a lost answer to media_publish is settled from the container status, without a duplicate',
    async (_, kinds) => {
      const mediaIds = [];
      for (const k of kinds) mediaIds.push(await upload(k));
      const id = schedule('Lost answer', mediaIds);
      meta.inject({ method: 'POST', path: /\/media_publish$/, fault: { kind: 'lose-response' } });
      await round();
      expect(post(id).status).toBe('unconfirmed');
      expect(meta.igPublished).toHaveLength(1);
      await round();
      expect(meta.calls(/\/media_publish$/)).toHaveLength(1);

      await live.herald.engine.reconcile();
      const container = meta.igPublished[0]!.containerId;
      expect(post(id)).toMatchObject({ status: 'published', externalId: container, sends: 1 });
      expect(meta.ig.containers.get(container)!.status).toBe('PUBLISHED');
      expect(meta.igPublished).toHaveLength(1);
    },
  );

  it(
    'a publish call that never arrived: the FINISHED container proves absence, ' +
      'and the next attempt publishes that container',
    async () => {
      const id = schedule('Reset on the way', [await upload('jpeg')]);
      meta.inject({ method: 'POST', path: /\/media_publish$/, fault: { kind: 'reset' } });
      await round();
      expect(post(id).status).toBe('unconfirmed');
      const container = state(id).containerId as string;
      expect(meta.ig.containers.get(container)!.status).toBe('FINISHED');
      await live.herald.engine.reconcile();
      expect(post(id).status).toBe('scheduled');
      await round();
      expect(post(id)).toMatchObject({ status: 'published', sends: 2 });
      expect(meta.ig.containers.size).toBe(1);
      expect(meta.igPublished.map((m) => m.containerId)).toEqual([container]);
    },
  );

  it('reuses the previous attempt’s finished container instead of making a new one', async () => {
    meta.failNext({ code: 9007, subcode: 2207027, path: /\/media_publish$/, message: 'Media ID is not available' });
    const id = schedule('Second try', [await upload('jpeg')]);
    await round();
    expect(post(id)).toMatchObject({
      status: 'scheduled',
      lastError: expect.stringMatching(/not finished processing/),
    });
    await round();
    expect(post(id).status).toBe('published');
    expect(meta.ig.containers.size).toBe(1);
    expect(bodies(/\/media_publish$/).map((b) => b.creation_id)).toEqual([
      meta.igPublished[0]!.containerId,
      meta.igPublished[0]!.containerId,
    ]);
    expect(meta.igPublished).toHaveLength(1);
  });

  it('fails the post with Instagram’s status text when processing ends in ERROR', async () => {
    meta.ig.videoOutcome = 'ERROR';
    const id = schedule('Broken video', [await upload('mp4')]);
    await round();
    expect(post(id)).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(
        /^Instagram could not process the media: Error: Media upload has failed with error code 2207026/,
      ),
    });
    expect(meta.calls(/\/media_publish$/)).toHaveLength(0);
  });

  it('a used-up publishing quota pauses the account for an hour, before any container is made', async () => {
    meta.ig.quotaTotal = 0;
    const id = schedule('Over the limit', [await upload('jpeg')]);
    const before = Date.now();
    await round();
    expect(post(id)).toMatchObject({ status: 'scheduled', lastError: expect.stringMatching(/limit of 0 posts/) });
    const account = live.herald.services.accounts.get(accountId);
    expect(account.pausedUntil! - before).toBeGreaterThanOrEqual(3_600_000);
    expect(meta.ig.containers.size).toBe(0);
  });

  it('a revoked Page token marks the Instagram account for reconnecting', async () => {
    meta.revokeToken(page.pageToken, 463);
    const id = schedule('Never sent', [await upload('jpeg')]);
    await round();
    expect(live.herald.services.accounts.get(accountId)).toMatchObject({
      status: 'needs_reauth',
      lastError: expect.stringMatching(/Instagram refused the access token: the access has expired/),
    });
    expect(post(id).status).toBe('scheduled');
    const calls = meta.requests.length;
    await round();
    expect(meta.requests.length).toBe(calls);
  });
});

describe('Instagram publisher: slow processing', () => {
  const clock = new FastForwardClock();
  beforeEach(async () => {
    // Replace the default setup with one on production timing and a clock that skips the waits.
    await live.close();
    await meta.stop();
    rmSync(configDir, { recursive: true, force: true });
    await start({ clock });
  });

  it(
    'stops polling after the timeout (nothing published), ' +
      'and a later attempt makes a new container if the old one never finished',
    async () => {
      meta.ig.videoPollsBeforeFinished = 1_000;
      const id = schedule('Slow', [await upload('mp4')]);
      const started = Date.now();
      await round();
      expect(post(id)).toMatchObject({
        status: 'scheduled',
        lastError: expect.stringMatching(/still processing the media after 300 s/),
      });
      // Thirty polls ten seconds apart on the platform's clock, in well under the real five minutes.
      expect(clock.sleeps.filter((ms) => ms === 10_000)).toHaveLength(29);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(meta.calls(/\/media_publish$/)).toHaveLength(0);
      meta.ig.videoPollsBeforeFinished = 0;
      await round();
      expect(post(id).status).toBe('published');
      // The first container was still IN_PROGRESS when the second attempt looked, so it was not reused.
      expect(meta.ig.containers.size).toBe(2);
      expect(meta.igPublished).toHaveLength(1);
    },
  );
});
