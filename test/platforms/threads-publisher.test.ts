import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { threadsPlatform, type ThreadsPublisher } from '../../src/platforms/threads/index.js';
import { PlatformError, type PublishMedia } from '../../src/platforms/types.js';
import { FakeThreads, type FakeThreadsUser } from '../fakes/threads.js';
import { makeImage, makeMp4, startFileHost, type FileHost } from '../helpers/media-fixtures.js';
import { testAttempt, type TestAttempt } from '../helpers/attempt-context.js';

const APP = { appId: '990011223344', appSecret: 'th-secret' };
const HOUR = 3_600_000;

let files: FileHost;
let clock: ManualClock;
let th: FakeThreads;
let publisher: ThreadsPublisher;
let user: FakeThreadsUser;
let token: string;

beforeAll(async () => {
  files = await startFileHost({
    '/photo.jpg': ['image/jpeg', await makeImage(1080, 1080, 'jpeg')],
    '/photo.png': ['image/png', await makeImage(1080, 1350, 'png')],
    '/clip.mp4': ['video/mp4', makeMp4()],
  });
});
afterAll(() => files.close());

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  th = new FakeThreads({ ...APP, redirectUris: [], now: () => clock.now() });
  const url = await th.start();
  user = th.addUser({ username: 'acme.bakery' });
  token = th.issueToken(user.id);
  publisher = threadsPlatform({
    settings: { ...APP, authorizeUrl: `${url}/oauth/authorize`, graphUrl: url, apiVersion: 'v1.0' },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000, pollIntervalMs: 10_000, pollTimeoutMs: 5 * 60_000, publishSettleMs: 120_000 },
  }).publisher;
});
afterEach(() => th.stop());

function media(name: 'photo.jpg' | 'photo.png' | 'clip.mp4', altText = ''): PublishMedia {
  const mime = name.endsWith('.mp4') ? 'video/mp4' : name.endsWith('.png') ? 'image/png' : 'image/jpeg';
  const url = `${files.url}/${name}`;
  return {
    id: name,
    mime,
    size: 1,
    width: 1080,
    height: 1080,
    durationMs: null,
    altText,
    url,
    path: '',
    jpegUrl: async () => url,
  };
}

type Ctx = TestAttempt;

function attempt(caption: string, items: PublishMedia[] = [], state: Record<string, unknown> = {}): Ctx {
  return testAttempt({
    caption,
    media: items,
    state,
    account: {
      id: 'acc-1',
      platform: 'threads',
      externalId: user.id,
      name: 'Acme Bakery',
      platformData: {},
      accessToken: token,
      refreshToken: null,
      tokenExpiresAt: null,
    },
    now: () => clock.now(),
  });
}

/** prepare → send → confirm, as the engine runs them. */
async function publish(ctx: Ctx) {
  await publisher.prepare(ctx);
  ctx.sentAt = clock.now();
  await publisher.send(ctx);
  return publisher.confirm(ctx);
}

describe('Threads publisher', () => {
  it('publishes a text post through a container, under the published id', async () => {
    th.processingMs.TEXT = 20_000;
    const ctx = attempt('Fresh sourdough at 7.');
    const result = await publish(ctx);
    expect(th.published).toHaveLength(1);
    expect(result.externalId).toBe(th.published[0]!.id);
    expect(result.externalId).not.toBe(ctx.state.containerId);
    expect(result.permalink).toBe(th.published[0]!.permalink);
    expect(th.containers.get(String(ctx.state.containerId))?.mediaType).toBe('TEXT');
    // Waited on the injected clock for processing: 3 checks, 2 sleeps of 10 s.
    expect(th.calls(new RegExp(`^/v1\\.0/${ctx.state.containerId}$`), 'GET')).toHaveLength(3);
    expect(th.calls(/\/threads$/, 'POST')[0]!.body.auto_publish_text).toBeUndefined();
  });

  it('publishes an image with its alt text, and a video after processing', async () => {
    await publish(attempt('Croissants', [media('photo.png', 'Six croissants on a tray')]));
    th.processingMs.VIDEO = 90_000;
    await publish(attempt('How we bake', [media('clip.mp4')]));
    const [image, video] = [...th.containers.values()];
    expect(image).toMatchObject({ mediaType: 'IMAGE', text: 'Croissants', url: `${files.url}/photo.png` });
    expect(th.calls(/\/threads$/, 'POST')[0]!.body.alt_text).toBe('Six croissants on a tray');
    expect(video).toMatchObject({ mediaType: 'VIDEO', url: `${files.url}/clip.mp4` });
    expect(th.published.map((p) => p.mediaType)).toEqual(['IMAGE', 'VIDEO']);
  });

  it('publishes a carousel: item containers first, each ready, then one carousel post', async () => {
    th.processingMs.VIDEO = 30_000;
    const ctx = attempt('Our week', [media('photo.jpg'), media('clip.mp4'), media('photo.png')]);
    await publish(ctx);
    expect(ctx.state.children).toHaveLength(3);
    const parent = th.containers.get(String(ctx.state.containerId))!;
    expect(parent.mediaType).toBe('CAROUSEL');
    expect(parent.children).toEqual(ctx.state.children);
    expect(th.published).toHaveLength(1);
    expect(th.published[0]).toMatchObject({ mediaType: 'CAROUSEL_ALBUM', text: 'Our week' });
    for (const child of parent.children) expect(th.containers.get(child)?.isCarouselItem).toBe(true);
  });

  it('turns a container that ends in ERROR into a permanent error in plain words', async () => {
    th.failingMedia.set('clip', 'INVALID_FRAME_RATE');
    const error = await publisher.prepare(attempt('Clip', [media('clip.mp4')])).catch((e) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/frame rate must be between 23 and 60/);
  });

  it('gives up on slow processing as transient, and the next attempt publishes the same container', async () => {
    th.processingMs.VIDEO = 10 * 60_000;
    const first = attempt('Slow', [media('clip.mp4')]);
    await expect(publisher.prepare(first)).rejects.toMatchObject({ kind: 'transient', code: 'threads:container_slow' });
    clock.advance(10 * 60_000);
    const second = attempt('Slow', [media('clip.mp4')], { previous: { ...first.state } });
    await publish(second);
    expect(second.state.containerId).toBe(first.state.containerId);
    expect(th.containers.size).toBe(1);
    expect(th.published).toHaveLength(1);
  });

  const quotaFirst =
    'reads the publishing limit first: a used-up quota is rate_limited until the oldest post leaves the window';
  it(quotaFirst, async () => {
    th.quotaTotal = 2;
    await publish(attempt('One'));
    clock.advance(2 * HOUR);
    await publish(attempt('Two'));
    clock.advance(HOUR);
    const error = await publisher.prepare(attempt('Three')).catch((e) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error.kind).toBe('rate_limited');
    expect(error.code).toBe('threads:quota');
    // The first post was 3 hours ago; it leaves the 24-hour window in 21 hours.
    expect(error.retryAfterMs).toBe(21 * HOUR);
    expect(error.message).toMatch(/limit of 2 posts/);
    expect(th.containers.size).toBe(2);
  });

  it('a lost answer after threads_publish is reconciled by lookup without a second post', async () => {
    // Another post in the same minute (made in the app, say) must not be taken for ours.
    await publish(attempt('Posted from the app'));
    const ctx = attempt('Lost in transit');
    await publisher.prepare(ctx);
    th.inject({ method: 'POST', path: /\/threads_publish$/, fault: { kind: 'lose-response' } });
    ctx.sentAt = clock.now();
    const error = await publisher.send(ctx).catch((e) => e);
    expect(error.kind).toBe('unknown_outcome');
    expect(ctx.state.mediaId).toBeUndefined();
    const found = await publisher.lookup(ctx);
    expect(found).toEqual({
      status: 'published',
      externalId: th.published[1]!.id,
      permalink: th.published[1]!.permalink,
    });
    expect(th.published).toHaveLength(2);
    // A new attempt after the reconcile would find the container published and refuse.
    await expect(
      publisher.prepare(attempt('Lost in transit', [], { previous: { ...ctx.state } })),
    ).rejects.toMatchObject({
      code: 'threads:already_published',
    });
  });

  it('code 10 with HTTP 500 after publishing is an unknown outcome that lookup settles as published', async () => {
    th.listLagMs = 3_000;
    th.publishThenCode10 = 1;
    const ctx = attempt('Ambiguous');
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    // The container says PUBLISHED but the list lags: honest "unknown", then the post.
    expect((await publisher.lookup(ctx)).status).toBe('unknown');
    clock.advance(3_000);
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'published', externalId: th.published[0]!.id });
    expect(th.published).toHaveLength(1);
  });

  const neverArrived =
    'a publish that never arrived is unknown at first, absent once the container stays unpublished, then sent once';
  it(neverArrived, async () => {
    const ctx = attempt('Never arrived');
    await publisher.prepare(ctx);
    th.inject({ method: 'POST', path: /\/threads_publish$/, fault: { kind: 'status', status: 503 } });
    ctx.sentAt = clock.now();
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    expect((await publisher.lookup(ctx)).status).toBe('unknown');
    clock.advance(120_000);
    expect((await publisher.lookup(ctx)).status).toBe('absent');
    const retry = attempt('Never arrived', [], { previous: { ...ctx.state } });
    await publish(retry);
    expect(retry.state.containerId).toBe(ctx.state.containerId);
    expect(th.published).toHaveLength(1);
  });

  it('maps 429 with Retry-After, 5xx before the publish and a revoked token to their kinds', async () => {
    th.inject({
      method: 'POST',
      path: /\/threads$/,
      fault: {
        kind: 'status',
        status: 429,
        headers: { 'retry-after': '120' },
        body: { error: { message: 'Too many calls', type: 'OAuthException', code: 4, fbtrace_id: 'A1' } },
      },
    });
    const limited = await publisher.prepare(attempt('Busy')).catch((e) => e);
    expect(limited).toMatchObject({ kind: 'rate_limited' });
    expect(limited.retryAfterMs).toBe(120_000);
    // The pause holds for the account without another call leaving.
    const calls = th.requests.length;
    await expect(publisher.prepare(attempt('Busy'))).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(th.requests.length).toBe(calls);
    clock.advance(120_000);

    th.inject({ method: 'POST', path: /\/threads$/, fault: { kind: 'status', status: 502 } });
    await expect(publisher.prepare(attempt('Wobbly'))).rejects.toMatchObject({ kind: 'transient' });

    th.revokeTokens(user.id);
    const auth = await publisher.prepare(attempt('Revoked')).catch((e) => e);
    expect(auth.kind).toBe('auth');
    expect(th.published).toHaveLength(0);
  });

  it('"Media Not Found" at publish is transient, and the next attempt publishes the same container once', async () => {
    const ctx = attempt('Not visible yet');
    await publisher.prepare(ctx);
    th.mediaNotFound = 1;
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'transient', code: 'threads:24/4279009' });
    expect(th.published).toHaveLength(0);
    const retry = attempt('Not visible yet', [], { previous: { ...ctx.state } });
    await publish(retry);
    expect(retry.state.containerId).toBe(ctx.state.containerId);
    expect(th.published).toHaveLength(1);
  });

  it('a 429 at threads_publish is a refusal (rate_limited), not an unknown outcome', async () => {
    const ctx = attempt('Too fast');
    await publisher.prepare(ctx);
    th.inject({
      method: 'POST',
      path: /\/threads_publish$/,
      fault: { kind: 'status', status: 429, headers: { 'retry-after': '60' } },
    });
    const error = await publisher.send(ctx).catch((e) => e);
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(60_000);
    expect(th.published).toHaveLength(0);
  });

  it('lookup without a container is absent: nothing can have been published', async () => {
    expect((await publisher.lookup(attempt('Nothing'))).status).toBe('absent');
  });
});
