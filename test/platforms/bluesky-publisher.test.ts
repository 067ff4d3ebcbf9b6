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
import { makeImage } from '../helpers/media-fixtures.js';

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

  it('refuses five images, oversize images and video before sending anything', async () => {
    const one = await image('a.jpg', 10, 10, 'x');
    const five = await errorOf(publisher.prepare(attempt('x', [one, one, one, one, one]).ctx));
    expect([five?.kind, five?.message]).toEqual(['permanent', 'Bluesky posts hold at most 4 images; this one has 5.']);
    const big = await errorOf(publisher.prepare(attempt('x', [{ ...one, size: 1_500_000 }]).ctx));
    expect(big?.code).toBe('image_too_large');
    const video = await errorOf(publisher.prepare(attempt('x', [{ ...one, mime: 'video/mp4' }]).ctx));
    expect(video?.code).toBe('video_unsupported');
    const long = await errorOf(publisher.prepare(attempt('🥐'.repeat(301)).ctx));
    expect(long?.message).toMatch(/at most 300 characters; this one has 301/);
    expect(bs.calls(/uploadBlob|putRecord/)).toHaveLength(0);
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
});
