import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { blueskyPlatform } from '../../src/platforms/bluesky/index.js';
import type { BlueskyPublisher } from '../../src/platforms/bluesky/publisher.js';
import type {
  PlatformError,
  AttemptContext,
  PublishAccount,
  PublishMedia,
  RefreshedTokens,
  StepLog,
} from '../../src/platforms/types.js';
import { FakeBluesky, type BlueskyAccount } from '../fakes/bluesky.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';

let bs: FakeBluesky;
let alice: BlueskyAccount;
let dir: string;
let publisher: BlueskyPublisher;
let account: PublishAccount;
let renewed: RefreshedTokens[];

beforeEach(async () => {
  bs = new FakeBluesky();
  await bs.start();
  alice = bs.addAccount({ handle: 'alice.test' });
  bs.addAccount({ handle: 'bob.test', did: 'did:plc:bobbobbobbobbobbobbobbob' });
  dir = mkdtempSync(join(tmpdir(), 'bsky-'));
  renewed = [];
  const platform = blueskyPlatform({
    log: createLogger('silent'),
    settings: {
      handleResolverUrl: bs.url,
      plcDirectoryUrl: bs.plcUrl,
      insecureHosts: [bs.host],
      requestTimeoutMs: 5_000,
      videoServiceUrl: bs.videoUrl,
      videoPollIntervalMs: 5,
    },
  });
  publisher = platform.publisher;
  const a = (await platform.connector.connectWithForm({ handle: 'alice.test', appPassword: 'abcd-efgh-ijkl-mnop' }))
    .accounts[0]!;
  account = {
    id: 'acc-1',
    platform: a.platform,
    externalId: a.externalId,
    name: a.name,
    platformData: a.platformData ?? {},
    accessToken: a.accessToken,
    refreshToken: a.refreshToken ?? null,
    tokenExpiresAt: a.tokenExpiresAt,
  };
});
afterEach(async () => {
  await bs.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** An attempt as the engine gives it: state persisted by save, logs collected. */
function attempt(caption: string, media: PublishMedia[] = [], state: Record<string, unknown> = {}) {
  const logs: StepLog[] = [];
  const saves: Array<Record<string, unknown>> = [];
  const ctx: AttemptContext & { state: Record<string, unknown> } = {
    postId: 'post-1',
    attemptId: 'att-1',
    surface: 'feed',
    firstComment: '',
    caption,
    options: {},
    source: 'manual',
    scheduledAt: null,
    media,
    account,
    client: { settings: {} },
    state,
    sentAt: null,
    save(patch) {
      saves.push(structuredClone(patch));
      Object.assign(state, patch);
    },
    storeTokens: (tokens) => void renewed.push(tokens),
    log: (entry) => void logs.push(entry),
    now: () => Date.now(),
    signal: AbortSignal.timeout(10_000),
  };
  return { ctx, logs, saves };
}

async function image(name: string, width: number, height: number, altText: string): Promise<PublishMedia> {
  const bytes = await makeImage(width, height);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return {
    id: name,
    mime: 'image/jpeg',
    size: bytes.length,
    width,
    height,
    durationMs: null,
    altText,
    url: `http://media.test/${name}`,
    path,
    jpegUrl: async () => `http://media.test/${name}`,
  };
}

function clip(name: string, bytes = 40_000): PublishMedia {
  const data = makeMp4({ width: 1080, height: 1920, bytes });
  const path = join(dir, name);
  writeFileSync(path, data);
  return {
    id: name,
    mime: 'video/mp4',
    size: data.length,
    width: 1080,
    height: 1920,
    durationMs: 8000,
    altText: 'Kneading dough',
    url: `http://media.test/${name}`,
    path,
    jpegUrl: async () => `http://media.test/${name}`,
  };
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as PlatformError,
  );
const bytesOf = (text: string, i: { byteStart: number; byteEnd: number }) =>
  Buffer.from(text, 'utf8').subarray(i.byteStart, i.byteEnd).toString('utf8');

describe('Bluesky publisher', () => {
  it('posts text with link, mention and hashtag facets under a record key saved before the call', async () => {
    const text = 'Frische Brötchen 🥐 bei @bob.test! https://shop.invalid/menü #Bäckerei';
    const { ctx } = attempt(text);
    await publisher.prepare(ctx);
    const rkey = (ctx.state.bluesky as { rkey: string }).rkey;
    expect(bs.calls(/putRecord/)).toHaveLength(0);
    await publisher.send(ctx);
    const put = bs.calls(/putRecord/)[0]!;
    expect(put.path).toBe('/pds/xrpc/com.atproto.repo.putRecord');
    expect(put.body.rkey).toBe(rkey);
    const result = await publisher.confirm(ctx);
    expect(result).toEqual({
      externalId: `at://${alice.did}/app.bsky.feed.post/${rkey}`,
      permalink: `https://bsky.app/profile/${alice.did}/post/${rkey}`,
    });
    const [stored] = bs.posts(alice.did);
    const facets = stored!.value.facets as Array<{
      index: { byteStart: number; byteEnd: number };
      features: unknown[];
    }>;
    expect(facets.map((f) => [bytesOf(text, f.index), f.features[0]])).toEqual([
      ['@bob.test', { $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:bobbobbobbobbobbobbobbob' }],
      ['https://shop.invalid/menü', { $type: 'app.bsky.richtext.facet#link', uri: 'https://shop.invalid/menü' }],
      ['#Bäckerei', { $type: 'app.bsky.richtext.facet#tag', tag: 'Bäckerei' }],
    ]);
  });

  it('uploads up to four images with their alt text and aspect ratio', async () => {
    const media = [await image('a.jpg', 400, 300, 'Croissants on a tray'), await image('b.jpg', 300, 600, '')];
    const { ctx } = attempt('Today’s bake', media);
    await publisher.prepare(ctx);
    await publisher.send(ctx);
    expect(bs.calls(/uploadBlob/).map((r) => r.headers['content-type'])).toEqual(['image/jpeg', 'image/jpeg']);
    const embed = bs.posts(alice.did)[0]!.value.embed as { $type: string; images: Array<Record<string, unknown>> };
    expect(embed.$type).toBe('app.bsky.embed.images');
    expect(embed.images.map((i) => [i.alt, i.aspectRatio])).toEqual([
      ['Croissants on a tray', { width: 400, height: 300 }],
      ['', { width: 300, height: 600 }],
    ]);
  });

  it('refuses five images, oversize images, a video with images and a video too big before sending', async () => {
    const one = await image('a.jpg', 10, 10, 'x');
    const five = await errorOf(publisher.prepare(attempt('x', [one, one, one, one, one]).ctx));
    expect([five?.kind, five?.message]).toEqual(['permanent', 'Bluesky posts hold at most 4 images; this one has 5.']);
    const big = await errorOf(publisher.prepare(attempt('x', [{ ...one, size: 1_500_000 }]).ctx));
    expect(big?.code).toBe('image_too_large');
    const mixed = await errorOf(publisher.prepare(attempt('x', [one, clip('v.mp4')]).ctx));
    expect([mixed?.kind, mixed?.message]).toEqual([
      'permanent',
      'A Bluesky post holds either one video or images, not both.',
    ]);
    const huge = await errorOf(publisher.prepare(attempt('x', [{ ...clip('h.mp4'), size: 300_000_001 }]).ctx));
    expect(huge?.code).toBe('video_too_large');
    const two = await errorOf(publisher.prepare(attempt('x', [clip('v.mp4'), clip('w.mp4')]).ctx));
    expect(two?.code).toBe('too_many_videos');
    const long = await errorOf(publisher.prepare(attempt('🥐'.repeat(301)).ctx));
    expect(long?.message).toMatch(/at most 300 characters; this one has 301/);
    expect(bs.calls(/uploadBlob|putRecord|video/)).toHaveLength(0);
  });

  it('adds a link card from the page’s OpenGraph tags', async () => {
    bs.pages.set(
      'menu',
      '<html><head><meta property="og:title" content="Our menu &amp; prices">' +
        '<meta content="Fresh every day" name="description"></head></html>',
    );
    const link = `${bs.url}/web/menu`;
    const { ctx } = attempt(`New menu: ${link}`);
    await publisher.prepare(ctx);
    await publisher.send(ctx);
    expect(bs.posts(alice.did)[0]!.value.embed).toEqual({
      $type: 'app.bsky.embed.external',
      external: { uri: link, title: 'Our menu & prices', description: 'Fresh every day' },
    });
  });

  it('after a lost response, lookup finds the post and a repeated send adds no duplicate', async () => {
    const { ctx } = attempt('Lost and found');
    await publisher.prepare(ctx);
    const rkey = (ctx.state.bluesky as { rkey: string }).rkey;
    // Nothing written yet: getRecord proves absence.
    expect((await publisher.lookup(ctx)).status).toBe('absent');
    bs.inject({ path: /putRecord$/, fault: { kind: 'lose-response' } });
    const lost = await errorOf(publisher.send(ctx));
    expect(lost?.kind).toBe('unknown_outcome');
    expect(bs.posts(alice.did)).toHaveLength(1);
    expect(await publisher.lookup(ctx)).toEqual({
      status: 'published',
      externalId: `at://${alice.did}/app.bsky.feed.post/${rkey}`,
      permalink: `https://bsky.app/profile/${alice.did}/post/${rkey}`,
    });
    // A later attempt (prepare again from the saved state) re-sends the same record under the same key.
    const again = attempt('Lost and found', [], { ...ctx.state });
    await publisher.prepare(again.ctx);
    await publisher.send(again.ctx);
    expect(bs.posts(alice.did)).toHaveLength(1);
    expect(bs.commits).toBe(1);
    expect(bs.calls(/putRecord/).map((r) => r.body.rkey)).toEqual([rkey, rkey]);
  });

  it('maps 5xx after the write to an unknown outcome, and 429 to a wait until ratelimit-reset', async () => {
    const { ctx } = attempt('Server trouble');
    await publisher.prepare(ctx);
    bs.inject({
      path: /putRecord$/,
      fault: { kind: 'status', status: 502, body: { error: 'InternalServerError', message: 'bad gateway' } },
    });
    expect((await errorOf(publisher.send(ctx)))?.kind).toBe('unknown_outcome');
    const reset = Math.floor(Date.now() / 1000) + 120;
    bs.inject({
      path: /putRecord$/,
      fault: {
        kind: 'status',
        status: 429,
        body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
        headers: {
          'ratelimit-limit': '5000',
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(reset),
          'ratelimit-policy': '5000;w=3600',
        },
      },
    });
    const limited = await errorOf(publisher.send(ctx));
    expect(limited?.kind).toBe('rate_limited');
    expect(limited!.retryAfterMs!).toBeGreaterThan(100_000);
    expect(limited!.retryAfterMs!).toBeLessThanOrEqual(121_000);
    expect(bs.posts(alice.did)).toHaveLength(0);
  });

  it('a server error while uploading an image is transient: nothing was posted', async () => {
    const media = [await image('a.jpg', 40, 30, 'x')];
    bs.inject({
      path: /uploadBlob$/,
      fault: { kind: 'status', status: 503, body: { error: 'InternalServerError', message: 'x' } },
    });
    const err = await errorOf(publisher.prepare(attempt('Images', media).ctx));
    expect(err?.kind).toBe('transient');
    expect(bs.calls(/putRecord/)).toHaveLength(0);
  });

  it('renews an expired session once and stores the rotated tokens; a revoked one needs a reconnect', async () => {
    const { ctx, logs } = attempt('Fresh session');
    await publisher.prepare(ctx);
    bs.now = () => Date.now() + 121 * 60_000;
    await publisher.send(ctx);
    expect(bs.posts(alice.did)).toHaveLength(1);
    expect(bs.calls(/refreshSession/)).toHaveLength(1);
    expect(renewed).toHaveLength(1);
    expect(renewed[0]!.refreshToken).not.toBe(account.refreshToken);
    expect(logs.map((l) => l.message)).toContain('The Bluesky session had expired; Herald renewed it.');
    bs.revokeAppPassword(alice.did, 'abcd-efgh-ijkl-mnop');
    const next = attempt('Revoked');
    const err = await errorOf(publisher.prepare(next.ctx).then(() => publisher.send(next.ctx)));
    expect(err?.kind).toBe('auth');
  });

  it('adds the page’s og:image as the card’s thumb; a missing, oversized or non-image one means none', async () => {
    const jpeg = await makeImage(120, 63);
    bs.files.set('card.jpg', { bytes: jpeg, type: 'image/jpeg' });
    bs.files.set('huge.jpg', { bytes: Buffer.concat([jpeg, Buffer.alloc(1_000_001)]), type: 'image/jpeg' });
    bs.files.set('fake.jpg', { bytes: Buffer.from('<html>not an image</html>'), type: 'image/jpeg' });
    const page = (image: string) =>
      '<html><head><meta property="og:title" content="Menu">' +
      `<meta property="og:image" content="${image}"></head></html>`;
    bs.pages.set('thumb', page('/files/card.jpg'));
    bs.pages.set('huge', page(`${bs.url}/files/huge.jpg`));
    bs.pages.set('fake', page('/files/fake.jpg'));
    bs.pages.set('gone', page('/files/missing.jpg'));
    const embedOf = async (name: string) => {
      const { ctx } = attempt(`See ${bs.url}/web/${name}`);
      await publisher.prepare(ctx);
      await publisher.send(ctx);
      return bs.posts(alice.did).find((p) => p.value.text === `See ${bs.url}/web/${name}`)!.value.embed as {
        external: Record<string, unknown>;
      };
    };
    const withThumb = await embedOf('thumb');
    expect(withThumb.external).toMatchObject({ uri: `${bs.url}/web/thumb`, title: 'Menu' });
    expect(withThumb.external.thumb).toMatchObject({ $type: 'blob', mimeType: 'image/jpeg', size: jpeg.length });
    expect(bs.calls(/uploadBlob$/)).toHaveLength(1);
    for (const name of ['huge', 'fake', 'gone']) {
      const embed = await embedOf(name);
      expect(embed.external.title).toBe('Menu');
      expect(embed.external.thumb).toBeUndefined();
    }
    expect(bs.calls(/uploadBlob$/)).toHaveLength(1);
  });
});

describe('Bluesky videos', () => {
  it('gets a service token, streams the MP4 to the video service, follows the job and posts its blob', async () => {
    const media = clip('dough.mp4');
    const { ctx, saves } = attempt('How we knead', [media]);
    await publisher.prepare(ctx);
    const auths = bs.calls(/getServiceAuth$/);
    expect(auths.map((r) => [r.query.aud, r.query.lxm])).toEqual([
      [bs.didWeb(bs.videoUrl), 'app.bsky.video.getUploadLimits'],
      [bs.didWeb(bs.pdsUrl), 'com.atproto.repo.uploadBlob'],
    ]);
    expect(Number(auths[1]!.query.exp) - Date.now() / 1000).toBeGreaterThan(25 * 60);
    const [upload] = bs.calls(/uploadVideo$/);
    expect(upload!.query).toEqual({ did: alice.did, name: 'dough.mp4' });
    expect(upload!.headers['content-type']).toBe('video/mp4');
    expect(upload!.raw.length).toBe(media.size);
    expect(bs.calls(/getUploadLimits$/)).toHaveLength(1);
    // Created → encoding → scanning → uploading → completed.
    expect(bs.calls(/getJobStatus$/)).toHaveLength(4);
    // The job id is saved before the wait, the blob as soon as it appears.
    const videoSaves = saves.filter((s) => s.blueskyVideo).map((s) => s.blueskyVideo as Record<string, unknown>);
    expect(videoSaves[0]).toEqual({ mediaId: 'dough.mp4', jobId: expect.any(String) });
    expect(videoSaves[1]).toMatchObject({ mediaId: 'dough.mp4', jobId: videoSaves[0]!.jobId, blob: { $type: 'blob' } });
    await publisher.send(ctx);
    expect(bs.posts(alice.did)[0]!.value.embed).toEqual({
      $type: 'app.bsky.embed.video',
      video: { $type: 'blob', ref: { $link: expect.any(String) }, mimeType: 'video/mp4', size: media.size },
      alt: 'Kneading dough',
      aspectRatio: { width: 1080, height: 1920 },
    });
    expect(bs.calls(/uploadBlob$/)).toHaveLength(0);
  });

  it('reads the flat job status the tutorial shows as well as the lexicon’s {jobStatus}', async () => {
    bs.uploadShape = 'flat';
    const { ctx } = attempt('Flat', [clip('flat.mp4')]);
    await publisher.prepare(ctx);
    await publisher.send(ctx);
    expect((bs.posts(alice.did)[0]!.value.embed as { $type: string }).$type).toBe('app.bsky.embed.video');
  });

  it('a failed job is refused in plain words, and nothing is posted', async () => {
    bs.failNextVideo = 'encoding_failure';
    const { ctx } = attempt('Broken clip', [clip('broken.mp4')]);
    const err = await errorOf(publisher.prepare(ctx));
    expect(err?.kind).toBe('permanent');
    expect(err?.code).toBe('encoding_failure');
    expect(err?.message).toMatch(/could not convert this video; export it again as an ordinary MP4/);
    expect(bs.calls(/putRecord/)).toHaveLength(0);
  });

  it('a retry after a lost answer resumes the saved job, then reuses the saved blob: one upload', async () => {
    const media = clip('once.mp4');
    bs.inject({ path: /getJobStatus$/, fault: { kind: 'reset' } });
    const first = attempt('Once', [media]);
    const lost = await errorOf(publisher.prepare(first.ctx));
    expect(lost?.kind).toBe('transient');
    expect((first.ctx.state.blueskyVideo as { jobId?: string }).jobId).toEqual(expect.any(String));

    const second = attempt('Once', [media], structuredClone(first.ctx.state));
    await publisher.prepare(second.ctx);
    expect(bs.calls(/uploadVideo$/)).toHaveLength(1);
    expect(second.logs.map((l) => l.message).some((m) => m.includes('resumed'))).toBe(true);
    bs.inject({ path: /putRecord$/, fault: { kind: 'lose-response' } });
    expect((await errorOf(publisher.send(second.ctx)))?.kind).toBe('unknown_outcome');

    const polls = bs.calls(/getJobStatus$/).length;
    const third = attempt('Once', [media], structuredClone(second.ctx.state));
    await publisher.prepare(third.ctx);
    await publisher.send(third.ctx);
    expect(bs.calls(/getJobStatus$/)).toHaveLength(polls);
    expect(bs.calls(/uploadVideo$/)).toHaveLength(1);
    expect(bs.posts(alice.did)).toHaveLength(1);
    expect(bs.commits).toBe(1);
  });

  it('an account the video service does not allow, or whose day is used up, is refused before uploading', async () => {
    bs.videoLimits.set(alice.did, {
      canUpload: false,
      remainingDailyVideos: 0,
      remainingDailyBytes: 0,
      message: 'Email not verified',
    });
    const refused = await errorOf(publisher.prepare(attempt('No', [clip('no.mp4')]).ctx));
    expect(refused?.kind).toBe('permanent');
    expect(refused?.message).toMatch(/does not let this account upload videos \(Email not verified\)/);
    bs.videoLimits.set(alice.did, { canUpload: true, remainingDailyVideos: 0, remainingDailyBytes: 1e9 });
    const tomorrow = await errorOf(publisher.prepare(attempt('Later', [clip('later.mp4')]).ctx));
    expect(tomorrow?.kind).toBe('rate_limited');
    expect(tomorrow?.retryAfterMs).toBe(3_600_000);
    expect(bs.calls(/uploadVideo$/)).toHaveLength(0);
  });

  it('a PDS that issues no service token: the post fails naming the server and why', async () => {
    bs.serviceAuthRefused = 'MethodNotImplemented';
    const err = await errorOf(publisher.prepare(attempt('Elsewhere', [clip('e.mp4')]).ctx));
    expect(err?.kind).toBe('permanent');
    expect(err?.message).toContain(`The account’s Bluesky server (${bs.host}) would not give Herald`);
    expect(bs.calls(/uploadVideo$/)).toHaveLength(0);
  });
});
