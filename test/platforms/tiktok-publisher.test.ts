import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/domain/actor.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { tiktokPlatform } from '../../src/platforms/tiktok/index.js';
import { FakeTikTok, MIN_CHUNK, type TikTokUser } from '../fakes/tiktok.js';
import { freePort, startLiveHerald, type LiveHerald } from '../helpers/browser.js';
import { FastForwardClock } from '../helpers/fast-clock.js';
import { tempDir, TEST_SECRET } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';

const APP = { clientKey: 'aw-herald-key', clientSecret: 'tt-herald-secret' };
const MB = 1_000_000;

interface Setup {
  /** TIKTOK_AUDITED for Herald and the fake alike. */
  audited?: boolean;
  /** TIKTOK_VERIFIED_URL_PREFIX: a URL prefix covering PUBLIC_URL's media, a bare domain, or none. */
  verified?: 'url-prefix' | 'domain' | null;
  tiktokPrivacy?: string | null;
  user?: Partial<TikTokUser>;
  /** The platform on a FastForwardClock with production poll timing (5 s polls, 3 min deadline). */
  fastClock?: FastForwardClock;
}

interface World {
  tt: FakeTikTok;
  live: LiveHerald;
  accountId: string;
  clientId: string;
  accessToken: string;
  /** Requests to the fake after the account was connected. */
  calls(): string[];
  video(bytes: number, durationMs?: number): Promise<{ id: string; url: string; file: Buffer }>;
  schedule(caption: string, mediaIds: string[]): string;
  /** One due round of the real engine, waiting for the publishes it started. */
  round(): Promise<number>;
  post(id: string): ReturnType<LiveHerald['herald']['services']['posts']['get']>;
  state(id: string): Record<string, unknown>;
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fake TikTok, the real Herald server and engine with the TikTok publisher, one connected account. */
async function world(setup: Setup = {}): Promise<World> {
  const tt = new FakeTikTok(APP);
  await tt.start();
  cleanup.push(() => tt.stop());
  tt.audited = setup.audited ?? false;
  // The fake counts its rate windows on the same clock as the platform code.
  if (setup.fastClock) tt.now = () => setup.fastClock!.now();
  Object.assign(tt.user, setup.user ?? {});

  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const prefix =
    setup.verified === 'url-prefix' ? `${publicUrl}/media/` : setup.verified === 'domain' ? '127.0.0.1' : null;
  if (prefix) tt.verifiedUrlPrefixes = [prefix];
  const env: Record<string, string> = {
    PORT: String(port),
    PUBLIC_URL: publicUrl,
    TIKTOK_CLIENT_KEY: APP.clientKey,
    TIKTOK_CLIENT_SECRET: APP.clientSecret,
    TIKTOK_API_URL: tt.url,
    TIKTOK_AUTH_URL: `${tt.url}/v2/auth/authorize/`,
    TIKTOK_AUDITED: String(setup.audited ?? false),
    ...(prefix ? { TIKTOK_VERIFIED_URL_PREFIX: prefix } : {}),
  };
  const dataDir = tempDir();
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({ DATA_DIR: dataDir, SECRET_KEY: TEST_SECRET, LOG_LEVEL: 'silent', ...env });
  const { connector, publishers } = tiktokPlatform({
    config,
    log: createLogger('silent'),
    ...(setup.fastClock
      ? { clock: setup.fastClock, options: { requestTimeoutMs: 5_000 } }
      : { options: { pollIntervalMs: 40, confirmTimeoutMs: 500, chunkRetryDelayMs: 10, requestTimeoutMs: 5_000 } }),
  });
  const live = await startLiveHerald(env, {
    dataDir,
    publishers,
    engine: { backoffBaseMs: 20, backoffCapMs: 100, settleMs: 100, random: () => 1 },
  });
  cleanup.push(() => live.close());
  // The test drives the engine itself, one round at a time.
  await live.herald.scheduler.stop(1_000);

  const request = { state: 'st', redirectUri: `${publicUrl}/auth/tiktok/callback`, codeVerifier: 'v' };
  const consent = await fetch(await connector.authorizationUrl(request), { redirect: 'manual' });
  const granted = (await connector.complete(new URL(consent.headers.get('location')!), request)).accounts[0]!;
  const { services, repos, engine } = live.herald;
  const client = services.clients.create({
    name: 'Acme Bakery',
    timezone: 'Europe/Berlin',
    approvalMode: 'none',
    tiktokPrivacy: setup.tiktokPrivacy ?? null,
  });
  const account = services.accounts.connect({ clientId: client.id, ...granted });
  const mark = tt.requests.length;

  return {
    tt,
    live,
    accountId: account.id,
    clientId: client.id,
    accessToken: granted.accessToken,
    calls: () => tt.requests.slice(mark).map((r) => `${r.method} ${r.path}`),
    async video(bytes, durationMs = 8_000) {
      const file = makeMp4({ bytes, durationMs });
      const row = await services.media.ingest([file], { clientId: client.id });
      return { id: row.id, url: services.media.url(row.key), file };
    },
    schedule(caption, mediaIds) {
      return services.posts.create(
        { accountId: account.id, caption, mediaIds, scheduledAt: new Date().toISOString(), status: 'scheduled' },
        SYSTEM,
      ).id;
    },
    async round() {
      const { claimed } = engine.runDue();
      await engine.drain(30_000);
      return claimed;
    },
    post: (id) => services.posts.get(id),
    state(id) {
      const attemptId = services.posts.get(id).currentAttemptId;
      return attemptId ? repos.publishing.getAttempt(attemptId)!.state : {};
    },
  };
}

const CREATOR = 'POST /v2/post/publish/creator_info/query/';
const VIDEO_INIT = 'POST /v2/post/publish/video/init/';
const STATUS = 'POST /v2/post/publish/status/fetch/';
const PUT = 'PUT /upload/video/';

describe('TikTok publisher: videos by FILE_UPLOAD', () => {
  it('a small video goes as one chunk, SELF_ONLY while the app is unaudited', async () => {
    const w = await world({ tiktokPrivacy: 'PUBLIC_TO_EVERYONE' });
    const video = await w.video(1 * MB);
    const id = w.schedule('Fresh sourdough, straight from the oven #bread', [video.id]);
    expect(await w.round()).toBe(1);

    expect(w.calls()).toEqual([CREATOR, VIDEO_INIT, PUT, STATUS, STATUS]);
    const init = w.tt.calls(/video\/init/)[0]!;
    expect(init.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(init.headers.authorization).toBe(`Bearer ${w.accessToken}`);
    expect(init.body).toEqual({
      post_info: {
        title: 'Fresh sourdough, straight from the oven #bread',
        privacy_level: 'SELF_ONLY',
        disable_duet: false,
        disable_comment: false,
        disable_stitch: false,
        brand_content_toggle: false,
        brand_organic_toggle: false,
        is_aigc: false,
      },
      source_info: { source: 'FILE_UPLOAD', video_size: 1 * MB, chunk_size: 1 * MB, total_chunk_count: 1 },
    });
    const [put] = w.tt.calls(/^\/upload\/video\/$/);
    expect(put!.headers).toMatchObject({
      'content-type': 'video/mp4',
      'content-length': String(1 * MB),
      'content-range': `bytes 0-${MB - 1}/${MB}`,
    });
    expect(put!.raw.equals(video.file)).toBe(true);

    const publishId = w.tt.published[0]!.publishId;
    expect(w.tt.published).toMatchObject([
      { kind: 'video', privacy: 'SELF_ONLY', bytes: 1 * MB, title: 'Fresh sourdough, straight from the oven #bread' },
    ]);
    // SELF_ONLY posts never get a public id: the publish_id stands in, and there is no link.
    expect(w.post(id)).toMatchObject({ status: 'published', externalId: publishId, permalink: null, sends: 1 });
    expect(w.state(id)).toMatchObject({ publishId, tiktok: { source: 'FILE_UPLOAD', privacy: 'SELF_ONLY' } });
    const logs = w.live.herald.services.posts.logs(id).map((l) => `${l.step}:${l.level}`);
    expect(logs).toEqual([
      'create:info',
      'claim:info',
      'prepare:info',
      'send:info',
      'upload:info',
      'confirm:info',
      'confirm:ok',
    ]);
    expect(JSON.stringify(w.live.herald.services.posts.logs(id))).not.toContain(w.accessToken);
  });

  it('a 12 MB video goes in chunks of at least 5 MB, the last taking the remainder', async () => {
    const w = await world();
    const video = await w.video(12 * MB);
    const id = w.schedule('Big one', [video.id]);
    await w.round();

    expect(w.calls()).toEqual([CREATOR, VIDEO_INIT, PUT, PUT, STATUS, STATUS]);
    expect(w.tt.calls(/video\/init/)[0]!.body.source_info).toEqual({
      source: 'FILE_UPLOAD',
      video_size: 12 * MB,
      chunk_size: MIN_CHUNK,
      total_chunk_count: 2,
    });
    const puts = w.tt.calls(/^\/upload\/video\/$/);
    const ranges = [
      [0, MIN_CHUNK - 1],
      [MIN_CHUNK, 12 * MB - 1],
    ] as const;
    puts.forEach((put, i) => {
      const [first, last] = ranges[i]!;
      expect(put.headers).toMatchObject({
        'content-type': 'video/mp4',
        'content-length': String(last - first + 1),
        'content-range': `bytes ${first}-${last}/${12 * MB}`,
      });
      expect(put.raw.equals(video.file.subarray(first, last + 1))).toBe(true);
    });
    expect(w.post(id).status).toBe('published');
    expect(w.tt.published).toMatchObject([{ bytes: 12 * MB }]);
  });

  it('retries a chunk after a 5xx and resyncs after a lost answer (416)', async () => {
    const w = await world();
    const video = await w.video(12 * MB);
    w.tt.inject({ method: 'PUT', path: /^\/upload\/video\/$/, fault: { kind: 'status', status: 503, body: {} } });
    const id = w.schedule('Bumpy upload', [video.id]);
    // The second chunk arrives, but its 201 is lost: the retry is told (416) that everything is there.
    w.tt.inject({ method: 'PUT', path: /^\/upload\/video\/$/, fault: { kind: 'delay', ms: 0 } });
    w.tt.inject({ method: 'PUT', path: /^\/upload\/video\/$/, fault: { kind: 'lose-response' } });
    await w.round();

    expect(w.calls()).toEqual([CREATOR, VIDEO_INIT, PUT, PUT, PUT, PUT, STATUS, STATUS]);
    const ranges = w.tt.calls(/^\/upload\/video\/$/).map((p) => p.headers['content-range']);
    const second = `bytes ${MIN_CHUNK}-${12 * MB - 1}/${12 * MB}`;
    expect(ranges).toEqual([
      `bytes 0-${MIN_CHUNK - 1}/${12 * MB}`,
      `bytes 0-${MIN_CHUNK - 1}/${12 * MB}`,
      second,
      second,
    ]);
    expect(w.post(id).status).toBe('published');
    expect(w.tt.published).toHaveLength(1);
    expect(
      w.live.herald.services.posts
        .logs(id)
        .filter((l) => l.step === 'upload' && l.level === 'warn')
        .map((l) => l.message),
    ).toEqual([
      'Sending part 1 of 2 failed (HTTP 503); trying it again.',
      expect.stringMatching(/^Sending part 2 of 2 failed/),
      `TikTok already had ${12 * MB} of ${12 * MB} bytes; resuming from there.`,
    ]);
  });
});

describe('TikTok publisher: media TikTok pulls', () => {
  it('PULL_FROM_URL when TIKTOK_VERIFIED_URL_PREFIX covers PUBLIC_URL', async () => {
    const w = await world({ verified: 'url-prefix' });
    const video = await w.video(2 * MB);
    const id = w.schedule('Pulled', [video.id]);
    await w.round();

    expect(w.calls()).toEqual([CREATOR, VIDEO_INIT, STATUS, STATUS]);
    expect(w.tt.calls(/video\/init/)[0]!.body.source_info).toEqual({ source: 'PULL_FROM_URL', video_url: video.url });
    expect(w.tt.mediaFetches).toEqual([
      { url: video.url, status: 200, contentType: 'video/mp4', bytes: 2 * MB, problem: null },
    ]);
    expect(w.post(id).status).toBe('published');
  });

  it('a photo post pulls the images from a verified domain', async () => {
    const w = await world({ verified: 'domain', user: { commentDisabled: true } });
    const { services } = w.live.herald;
    const photos = await Promise.all(
      [makeImage(1080, 1080), makeImage(1080, 1350)].map(async (img) =>
        services.media.ingest([await img], { clientId: w.clientId }),
      ),
    );
    // The 90-unit title cut falls inside the emoji (a surrogate pair): it must not be split.
    const title = 'Loaves of the day, baked at dawn '.padEnd(89, '.');
    const caption = `${title}🍞 with our old starter\nCome by before noon #bread #bakery`;
    const id = w.schedule(
      caption,
      photos.map((p) => p.id),
    );
    await w.round();

    expect(w.calls()).toEqual([CREATOR, 'POST /v2/post/publish/content/init/', STATUS, STATUS]);
    const body = w.tt.calls(/content\/init/)[0]!.body;
    expect(body).toEqual({
      media_type: 'PHOTO',
      post_mode: 'DIRECT_POST',
      post_info: {
        title,
        description: caption,
        privacy_level: 'SELF_ONLY',
        disable_comment: true,
        brand_content_toggle: false,
        brand_organic_toggle: false,
      },
      source_info: {
        source: 'PULL_FROM_URL',
        photo_cover_index: 0,
        photo_images: photos.map((p) => services.media.url(p.key)),
      },
    });
    expect(w.tt.published).toMatchObject([{ kind: 'photo', images: 2, description: caption }]);
    expect(w.post(id).status).toBe('published');
  });

  it('without a verified prefix a photo post is refused before anything is sent', async () => {
    const w = await world({ verified: null });
    const image = await w.live.herald.services.media.ingest([await makeImage(800, 800)], { clientId: w.clientId });
    // Written directly: the post editor already refuses this combination (platform-limits).
    const id = w.schedule('Video instead', [(await w.video(1 * MB)).id]);
    w.live.herald.repos.posts.setMedia(id, [image.id]);
    await w.round();
    expect(w.post(id).status).toBe('failed');
    expect(w.post(id).lastError).toMatch(/TIKTOK_VERIFIED_URL_PREFIX/);
    expect(w.calls()).toEqual([CREATOR]);
  });
});

describe('TikTok publisher: privacy and creator limits', () => {
  it(
    "audited: the client's privacy choice, the creator's switches, " + 'and a permalink from the exact post id',
    async () => {
      const w = await world({
        audited: true,
        tiktokPrivacy: 'MUTUAL_FOLLOW_FRIENDS',
        user: { commentDisabled: true, duetDisabled: true },
      });
      const id = w.schedule('For friends', [(await w.video(1 * MB)).id]);
      await w.round();

      expect(w.tt.calls(/video\/init/)[0]!.body.post_info).toMatchObject({
        privacy_level: 'MUTUAL_FOLLOW_FRIENDS',
        disable_comment: true,
        disable_duet: true,
        disable_stitch: false,
      });
      const published = w.tt.published[0]!;
      expect(published.privacy).toBe('MUTUAL_FOLLOW_FRIENDS');
      // A 19-digit int64, beyond 2^53: any rounding would show here.
      expect(published.postId).toMatch(/^7\d{18}$/);
      expect(w.post(id)).toMatchObject({
        status: 'published',
        externalId: published.postId,
        permalink: `https://www.tiktok.com/@${w.tt.user.username}/video/${published.postId}`,
      });
    },
  );

  it('audited, with a choice the account does not offer: the most private option offered', async () => {
    const w = await world({
      audited: true,
      tiktokPrivacy: 'PUBLIC_TO_EVERYONE',
      user: { privateAccount: true, privacyLevelOptions: ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS'] },
    });
    const id = w.schedule('Private account', [(await w.video(1 * MB)).id]);
    await w.round();
    expect(w.tt.published[0]!.privacy).toBe('MUTUAL_FOLLOW_FRIENDS');
    expect(
      w.live.herald.services.posts.logs(id).some((l) => l.level === 'warn' && /PUBLIC_TO_EVERYONE/.test(l.message)),
    ).toBe(true);
  });

  it('unaudited and SELF_ONLY not offered: refused in plain words, nothing sent', async () => {
    const w = await world({ user: { privacyLevelOptions: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS'] } });
    const id = w.schedule('Nope', [(await w.video(1 * MB)).id]);
    await w.round();
    expect(w.post(id)).toMatchObject({ status: 'failed', sends: 0 });
    expect(w.post(id).lastError).toMatch(/SELF_ONLY/);
    expect(w.calls()).toEqual([CREATOR]);
  });

  it("a video longer than the creator's limit is refused before the send", async () => {
    const w = await world({ user: { maxVideoPostDurationSec: 60 } });
    const id = w.schedule('Too long', [(await w.video(1 * MB, 90_000)).id]);
    await w.round();
    expect(w.post(id).status).toBe('failed');
    expect(w.post(id).lastError).toBe('The video is 90 s long; TikTok lets this account post videos of at most 60 s.');
    expect(w.calls()).toEqual([CREATOR]);
  });

  it(
    'creator_info answering HTTP 200 with spam_risk_too_many_posts defers the post for hours; ' + 'nothing is sent',
    async () => {
      const w = await world({ user: { postingBlock: 'spam_risk_too_many_posts' } });
      const id = w.schedule('Too many today', [(await w.video(1 * MB)).id]);
      const before = Date.now();
      await w.round();
      const post = w.post(id);
      expect(post).toMatchObject({ status: 'scheduled', sends: 0 });
      expect(post.lastError).toMatch(/daily limit/);
      expect(post.dueAt!).toBeGreaterThanOrEqual(before + 5 * 3_600_000);
      expect(w.live.herald.services.accounts.get(w.accountId).pausedUntil!).toBeGreaterThanOrEqual(
        before + 5 * 3_600_000,
      );
      expect(w.calls()).toEqual([CREATOR]);
      expect(await w.round()).toBe(0);
    },
  );
});

describe('TikTok publisher: unclear outcomes and refusals', () => {
  it('a lost answer to init stays unconfirmed and is never sent again (no publish_id to ask about)', async () => {
    const w = await world({ verified: 'url-prefix' });
    w.tt.inject({ method: 'POST', path: /video\/init/, fault: { kind: 'lose-response' } });
    const id = w.schedule('Did it go?', [(await w.video(1 * MB)).id]);
    await w.round();
    // TikTok took it (and pulled the video); Herald cannot know.
    expect(w.tt.published).toHaveLength(1);
    expect(w.post(id)).toMatchObject({ status: 'unconfirmed', sends: 1 });
    expect(w.state(id).publishId).toBeUndefined();

    await sleep(150); // past settleMs: an "absent" would now be believed
    for (let i = 0; i < 2; i++) {
      await w.live.herald.engine.reconcile();
      await w.round();
    }
    expect(w.post(id).status).toBe('unconfirmed');
    expect(w.calls()).toEqual([CREATOR, VIDEO_INIT]);
    expect(w.tt.published).toHaveLength(1);
  });

  it('lost answers while polling leave it unconfirmed; the reconciler settles it from the status', async () => {
    const clock = new FastForwardClock();
    const w = await world({ audited: true, tiktokPrivacy: 'PUBLIC_TO_EVERYONE', fastClock: clock });
    w.tt.inject({ method: 'POST', path: /status\/fetch/, fault: { kind: 'lose-response' }, times: 1_000 });
    const id = w.schedule('Slow news', [(await w.video(1 * MB)).id]);
    const started = Date.now();
    await w.round();
    expect(w.post(id).status).toBe('unconfirmed');
    expect(w.post(id).lastError).toMatch(/has not finished processing/);
    // Polled every 5 s for the production three minutes, on the platform's clock, not the wall's.
    expect(clock.skipped).toBeGreaterThanOrEqual(3 * 60_000 - 5_000);
    expect(clock.sleeps.filter((ms) => ms === 5_000).length).toBeGreaterThanOrEqual(30);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(w.tt.published).toHaveLength(1);

    w.tt.clearFaults();
    await w.live.herald.engine.reconcile();
    const published = w.tt.published[0]!;
    expect(w.post(id)).toMatchObject({
      status: 'published',
      externalId: published.postId,
      permalink: `https://www.tiktok.com/@${w.tt.user.username}/video/${published.postId}`,
    });
    expect(w.tt.calls(/video\/init/)).toHaveLength(1);
  });

  it('FAILED with video_pull_failed is proof of absence: sent again once, published once', async () => {
    const w = await world({ verified: 'url-prefix' });
    w.tt.failNextPublish('video_pull_failed');
    const id = w.schedule('Second time lucky', [(await w.video(1 * MB)).id]);
    await w.round();
    expect(w.post(id).status).toBe('unconfirmed');
    expect(w.post(id).lastError).toMatch(/could not download the video/);
    expect(w.tt.published).toHaveLength(0);
    const firstPublishId = w.state(id).publishId;

    await sleep(150);
    const counts = await w.live.herald.engine.reconcile();
    expect(counts.resent).toBe(1);
    expect(w.post(id).status).toBe('scheduled');
    await w.round();
    expect(w.post(id)).toMatchObject({ status: 'published', sends: 2 });
    expect(w.state(id).publishId).not.toBe(firstPublishId);
    expect(w.tt.calls(/video\/init/)).toHaveLength(2);
    expect(w.tt.published).toHaveLength(1);
  });

  it('FAILED for a reason a retry cannot fix fails the post in words', async () => {
    const w = await world();
    w.tt.failNextPublish('frame_rate_check_failed');
    const id = w.schedule('Choppy', [(await w.video(1 * MB)).id]);
    await w.round();
    expect(w.post(id)).toMatchObject({
      status: 'failed',
      lastError: 'TikTok takes videos at 23 to 60 frames per second only.',
    });
  });

  it('a revoked token marks the account for reconnecting; nothing more is sent', async () => {
    const w = await world();
    w.tt.revokeToken(w.accessToken);
    const first = w.schedule('One', [(await w.video(1 * MB)).id]);
    const second = w.schedule('Two', [(await w.video(1 * MB)).id]);
    await w.round();
    const account = w.live.herald.services.accounts.get(w.accountId);
    expect(account.status).toBe('needs_reauth');
    expect(account.lastError).toMatch(/Reconnect it/);
    expect(w.calls()).toEqual([CREATOR]);
    expect([w.post(first).status, w.post(second).status]).toEqual(['scheduled', 'scheduled']);

    await sleep(50);
    expect(await w.round()).toBe(0);
    await w.live.herald.engine.reconcile();
    expect(w.calls()).toEqual([CREATOR]);
    expect(w.tt.published).toHaveLength(0);
  });
});
