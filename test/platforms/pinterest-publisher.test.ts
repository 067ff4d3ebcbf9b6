import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { pinterestPlatform, type PinterestPublisher } from '../../src/platforms/pinterest/index.js';
import { PlatformError, type PublishMedia } from '../../src/platforms/types.js';
import { FakePinterest, type FakeBoard, type FakePinterestUser } from '../fakes/pinterest.js';
import { makeImage, makeMp4, startFileHost, type FileHost } from '../helpers/media-fixtures.js';
import { testAttempt, type TestAttempt } from '../helpers/attempt-context.js';

const APP = { appId: '1500001', appSecret: 'pin-secret' };

let files: FileHost;
let videoPath: string;
let clock: ManualClock;
let pin: FakePinterest;
let publisher: PinterestPublisher;
let user: FakePinterestUser;
let board: FakeBoard;
let other: FakeBoard;
let token: string;

beforeAll(async () => {
  files = await startFileHost({
    '/a.jpg': ['image/jpeg', await makeImage(1000, 1500, 'jpeg')],
    '/b.png': ['image/png', await makeImage(1000, 1500, 'png')],
  });
  videoPath = join(await mkdtemp(join(tmpdir(), 'pin-')), 'clip.mp4');
  await writeFile(videoPath, makeMp4());
});
afterAll(() => files.close());

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  pin = new FakePinterest({ ...APP, redirectUris: [], now: () => clock.now() });
  const url = await pin.start();
  user = pin.addUser({ username: 'acmebakery' });
  board = pin.addBoard(user.id, 'Recipes');
  other = pin.addBoard(user.id, 'Events');
  token = pin.issueToken(user.id);
  publisher = pinterestPlatform({
    settings: { ...APP, authorizeUrl: `${url}/oauth/`, apiUrl: `${url}/v5` },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000, pollIntervalMs: 10_000, pollTimeoutMs: 120_000, lookupSettleMs: 60_000 },
  }).publisher;
});
afterEach(() => pin.stop());

function media(name: 'a.jpg' | 'b.png' | 'clip.mp4', altText = ''): PublishMedia {
  const mime = name.endsWith('.mp4') ? 'video/mp4' : name.endsWith('.png') ? 'image/png' : 'image/jpeg';
  const url = `${files.url}/${name}`;
  return {
    id: name,
    mime,
    size: 1,
    width: 1000,
    height: 1500,
    durationMs: null,
    altText,
    url,
    path: name.endsWith('.mp4') ? videoPath : '',
    jpegUrl: async () => url,
  };
}

type Ctx = TestAttempt;

function attempt(caption: string, items: PublishMedia[], options: Record<string, unknown> = {}): Ctx {
  return testAttempt({
    caption,
    options,
    media: items,
    account: {
      id: 'acc-1',
      platform: 'pinterest',
      externalId: user.id,
      name: 'Acme Bakery',
      platformData: {
        boards: [board, other].map((b) => ({ id: b.id, name: b.name, privacy: b.privacy })),
        defaultBoardId: board.id,
      },
      accessToken: token,
      refreshToken: null,
      tokenExpiresAt: null,
    },
    now: () => clock.now(),
  });
}

async function publish(ctx: Ctx) {
  await publisher.prepare(ctx);
  ctx.sentAt = clock.now();
  await publisher.send(ctx);
  return publisher.confirm(ctx);
}

describe('Pinterest publisher', () => {
  it('publishes an image pin with title, description, link and alt text on the default board', async () => {
    const ctx = attempt('Rye sourdough, baked at 7.', [media('a.jpg', 'A loaf on a board')], {
      title: 'Rye sourdough',
      link: 'https://acme.example/rye',
    });
    const result = await publish(ctx);
    expect(pin.pins).toHaveLength(1);
    const p = pin.pins[0]!;
    expect(p).toMatchObject({
      boardId: board.id,
      title: 'Rye sourdough',
      description: 'Rye sourdough, baked at 7.',
      link: 'https://acme.example/rye',
      altText: 'A loaf on a board',
    });
    expect(p.mediaSource).toEqual({ source_type: 'image_url', url: `${files.url}/a.jpg` });
    expect(result).toEqual({ externalId: p.id, permalink: `https://www.pinterest.com/pin/${p.id}/` });
    expect(ctx.saves.some((s) => s.pinId === p.id)).toBe(true);
  });

  it('goes to the chosen default board, or the first board when the chosen one is gone', async () => {
    const chosen = attempt('One.', [media('a.jpg')]);
    chosen.account = { ...chosen.account, platformData: { ...chosen.account.platformData, defaultBoardId: other.id } };
    await publish(chosen);
    const stale = attempt('Two.', [media('a.jpg')]);
    stale.account = { ...stale.account, platformData: { ...stale.account.platformData, defaultBoardId: '123' } };
    await publish(stale);
    expect(pin.pins.map((p) => p.boardId)).toEqual([other.id, board.id]);
  });

  it('takes the post’s board over the default, and sends several images as one multi-image pin', async () => {
    const ctx = attempt('Two cakes.', [media('a.jpg'), media('b.png')], { boardId: other.id });
    await publish(ctx);
    expect(pin.pins[0]!.boardId).toBe(other.id);
    expect(pin.pins[0]!.mediaSource).toEqual({
      source_type: 'multiple_image_urls',
      items: [{ url: `${files.url}/a.jpg` }, { url: `${files.url}/b.png` }],
    });
  });

  it('publishes a video pin: registered, uploaded, processed on the clock, then pinned with a cover', async () => {
    pin.processingMs = 25_000;
    const ctx = attempt('Behind the oven.', [media('clip.mp4')]);
    await publish(ctx);
    const mediaId = String(ctx.state.mediaId);
    expect(ctx.saves[1]).toEqual({ mediaId, uploaded: false });
    expect(pin.media.get(mediaId)?.bytes).toBeGreaterThan(0);
    expect(pin.calls(new RegExp(`^/v5/media/${mediaId}$`))).toHaveLength(4);
    expect(pin.pins[0]!.mediaSource).toMatchObject({ source_type: 'video_id', media_id: mediaId });
    // A second attempt after a failure reuses the processed video instead of uploading twice.
    const again = attempt('Behind the oven.', [media('clip.mp4')]);
    again.state.previous = { mediaId, uploaded: true };
    await publisher.prepare(again);
    expect(again.state.mediaId).toBe(mediaId);
    expect(pin.calls(/^\/v5\/media$/, 'POST')).toHaveLength(1);
  });

  it('a lost create answer is found on the board by lookup, never sent twice', async () => {
    pin.inject({ method: 'POST', path: /^\/v5\/pins$/, fault: { kind: 'lose-response' } });
    const ctx = attempt('Croissants.', [media('a.jpg')], { title: 'Croissants' });
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    const error = await publisher.send(ctx).catch((e) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error.kind).toBe('unknown_outcome');
    expect(pin.pins).toHaveLength(1);
    const found = await publisher.lookup(ctx);
    expect(found).toEqual({
      status: 'published',
      externalId: pin.pins[0]!.id,
      permalink: `https://www.pinterest.com/pin/${pin.pins[0]!.id}/`,
    });
  });

  it('no matching pin is proof of absence only after the settle time; a 5xx on create is unknown', async () => {
    pin.inject({
      method: 'POST',
      path: /^\/v5\/pins$/,
      fault: { kind: 'status', status: 503, body: { code: 1, message: 'x' } },
    });
    const ctx = attempt('Bagels.', [media('a.jpg')]);
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    expect((await publisher.lookup(ctx)).status).toBe('unknown');
    clock.advance(61_000);
    expect((await publisher.lookup(ctx)).status).toBe('absent');
  });

  it('maps refusals: 429 with its reset header, revoked token, trial app, no board', async () => {
    pin.writeBudget = 0;
    pin.rateLimitResetS = 42;
    const ctx = attempt('Scones.', [media('a.jpg')]);
    await publisher.prepare(ctx);
    const limited = await publisher.send(ctx).catch((e) => e);
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 42_000 });
    pin.writeBudget = Number.POSITIVE_INFINITY;
    clock.advance(43_000);
    pin.trial = true;
    const trial = await publisher.send(attempt('Scones.', [media('a.jpg')], { boardId: board.id })).catch((e) => e);
    expect(trial.kind).toBe('permanent');
    expect(trial.message).toMatch(/api-sandbox\.pinterest\.com/);
    pin.revokeTokens(user.id);
    await expect(publisher.prepare(attempt('Scones.', [media('clip.mp4')]))).rejects.toMatchObject({ kind: 'auth' });
    const none = attempt('Scones.', [media('a.jpg')]);
    none.account = { ...none.account, platformData: {} };
    await expect(publisher.prepare(none)).rejects.toMatchObject({ kind: 'permanent', code: 'pinterest:no_board' });
    expect(pin.pins).toHaveLength(0);
  });
});
