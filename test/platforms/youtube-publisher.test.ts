import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { googlePlatform, type YouTubePublisher } from '../../src/platforms/google/index.js';
import type { PlatformError, AttemptContext, PublishMedia, StepLog } from '../../src/platforms/types.js';
import { YouTubeQuota } from '../../src/platforms/google/youtube-quota.js';
import { FakeYouTube, type FakeChannel } from '../fakes/youtube.js';

const APP = { clientId: 'herald.apps.googleusercontent.com', clientSecret: 'gs-secret' };
const UNIT = 256 * 1024;
const TOKEN = 'ya29.channel-token';

let yt: FakeYouTube;
let channel: FakeChannel;
let dir: string;
let file: string;
let bytes: Buffer;
let publisher: YouTubePublisher;
let options: Record<string, unknown>;

function build(extra: { youtubeDailyQuota?: number; resumeTries?: number } = {}): YouTubePublisher {
  return googlePlatform({
    settings: { ...APP, youtubeUrl: yt.url },
    log: createLogger('silent'),
    clock: new ManualClock(Date.now()),
    options: {
      requestTimeoutMs: 3_000,
      ...(extra.youtubeDailyQuota ? { youtubeDailyQuota: extra.youtubeDailyQuota } : {}),
      youtube: { chunkBytes: UNIT, resumeWaitMs: 10, pollIntervalMs: 1_000, resumeTries: extra.resumeTries ?? 5 },
    },
  }).youtube;
}

beforeEach(async () => {
  yt = new FakeYouTube();
  await yt.start();
  channel = yt.addChannel();
  yt.grant(TOKEN, channel.id);
  dir = await mkdtemp(join(tmpdir(), 'herald-yt-'));
  bytes = randomBytes(3 * UNIT + 1000);
  file = join(dir, 'clip.mp4');
  await writeFile(file, bytes);
  options = { title: 'How we bake', tags: 'bakery, how to', privacy: 'public' };
  publisher = build();
});
afterEach(async () => {
  await yt.stop();
  await rm(dir, { recursive: true, force: true });
});

function video(): PublishMedia {
  return {
    id: 'm1',
    mime: 'video/mp4',
    size: bytes.length,
    width: 1080,
    height: 1920,
    durationMs: 30_000,
    altText: '',
    url: 'http://unused/media/clip.mp4',
    path: file,
    jpegUrl: async () => 'http://unused',
  };
}

interface TestCtx extends AttemptContext {
  logs: StepLog[];
  saves: Record<string, unknown>[];
  state: Record<string, unknown>;
  sentAt: number | null;
}

function context(state: Record<string, unknown> = {}): TestCtx {
  const ctx: TestCtx = {
    postId: 'p1',
    attemptId: 'a1',
    surface: 'feed',
    firstComment: '',
    caption: 'Our sourdough, start to finish.',
    options,
    source: 'manual',
    scheduledAt: null,
    media: [video()],
    account: {
      id: 'acc1',
      platform: 'youtube',
      externalId: channel.id,
      name: channel.title,
      platformData: { uploadsPlaylist: channel.uploads },
      accessToken: TOKEN,
      refreshToken: null,
      tokenExpiresAt: null,
    },
    client: { settings: {} },
    state,
    sentAt: null,
    logs: [],
    saves: [],
    save(patch) {
      ctx.saves.push({ ...patch, puts: yt.calls(/\/upload\//, 'PUT').length });
      Object.assign(ctx.state, patch);
    },
    log(entry) {
      ctx.logs.push(entry);
    },
    now: () => Date.now(),
    storeTokens: () => {},
    signal: new AbortController().signal,
  };
  return ctx;
}

const starts = () => yt.calls(/^\/upload\/youtube\/v3\/videos$/, 'POST');
const puts = () => yt.calls(/^\/upload\/youtube\/v3\/videos$/, 'PUT');

describe('YouTube publisher: resumable upload', () => {
  it('uploads in 256 KiB chunks after saving the session, saves the video id, follows processing', async () => {
    const ctx = context();
    await publisher.prepare(ctx);
    await publisher.send(ctx);
    const session = ctx.saves.find((s) => s.uploadSession);
    expect(session?.puts).toBe(0); // saved before the first byte went out
    expect(puts().map((r) => r.headers['content-range'])).toEqual([
      `bytes 0-${UNIT - 1}/${bytes.length}`,
      `bytes ${UNIT}-${2 * UNIT - 1}/${bytes.length}`,
      `bytes ${2 * UNIT}-${3 * UNIT - 1}/${bytes.length}`,
      `bytes ${3 * UNIT}-${bytes.length - 1}/${bytes.length}`,
    ]);
    expect(yt.videos).toHaveLength(1);
    expect(yt.videos[0]!.bytes.equals(bytes)).toBe(true);
    expect(ctx.state.videoId).toBe(yt.videos[0]!.id);
    expect(yt.videos[0]!.snippet).toMatchObject({ title: 'How we bake', tags: ['bakery', 'how to'], categoryId: '22' });
    // The project is not audited: YouTube keeps it private, and the log says so.
    expect(ctx.logs.some((l) => l.level === 'warn' && /private/.test(l.message))).toBe(true);
    const result = await publisher.confirm(ctx);
    expect(result).toEqual({
      externalId: yt.videos[0]!.id,
      permalink: `https://www.youtube.com/watch?v=${yt.videos[0]!.id}`,
    });
  });

  it('resumes an upload cut in the middle from the byte the session reports, never from zero', async () => {
    yt.cutNextChunkAfter = 100_000;
    yt.inject({ method: 'PUT', path: /^\/upload\/youtube\/v3\/videos$/, fault: { kind: 'lose-response' } });
    const ctx = context();
    await publisher.prepare(ctx);
    await publisher.send(ctx);
    const ranges = puts().map((r) => String(r.headers['content-range']));
    expect(ranges[0]).toBe(`bytes 0-${UNIT - 1}/${bytes.length}`); // cut after 100,000 bytes
    expect(ranges[1]).toBe(`bytes */${bytes.length}`); // where does it stand?
    expect(ranges[2]).toBe(`bytes 100000-${100_000 + UNIT - 1}/${bytes.length}`);
    expect(ranges.filter((r) => r.startsWith('bytes 0-'))).toHaveLength(1);
    expect(starts()).toHaveLength(1);
    expect(yt.videos).toHaveLength(1);
    expect(yt.videos[0]!.bytes.equals(bytes)).toBe(true);
  });

  it('a later attempt resumes the previous attempt’s session instead of opening a new one', async () => {
    publisher = build({ resumeTries: 0 });
    yt.cutNextChunkAfter = 0;
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'lose-response' } });
    const first = context();
    await publisher.prepare(first);
    await publisher.send(first).then(
      () => Promise.reject(new Error('should have failed')),
      (err: PlatformError) => expect(err.kind).toBe('transient'),
    );
    // Nothing exists yet: the bytes short of the end create no video.
    expect(await publisher.lookup(first)).toMatchObject({ status: 'absent' });
    const second = context({ previous: first.state });
    await publisher.prepare(second);
    await publisher.send(second);
    expect(starts()).toHaveLength(1);
    expect(second.state.uploadSession).toBe(first.state.uploadSession);
    expect(yt.videos).toHaveLength(1);
    expect(yt.videos[0]!.bytes.equals(bytes)).toBe(true);
  });

  it('a lost answer to the last chunk is settled by the session: the video is found, not uploaded twice', async () => {
    const ctx = context();
    await publisher.prepare(ctx);
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'delay', ms: 0 }, times: 3 });
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'lose-response' } });
    // The status check within the send fails too: the outcome stays unknown.
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'reset' } });
    yt.processingReads = 0;
    await publisher.send(ctx).then(
      () => Promise.reject(new Error('should have failed')),
      (err: PlatformError) => expect(err.kind).toBe('unknown_outcome'),
    );
    expect(ctx.state.videoId).toBeUndefined();
    const found = await publisher.lookup(ctx);
    expect(found).toMatchObject({ status: 'published', externalId: yt.videos[0]!.id });
    expect(ctx.state.videoId).toBe(yt.videos[0]!.id);
    expect(yt.videos).toHaveLength(1);
    expect(starts()).toHaveLength(1);
  });

  it('the send itself asks the session after a lost last answer and takes the video it reports', async () => {
    const ctx = context();
    await publisher.prepare(ctx);
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'delay', ms: 0 }, times: 3 });
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'lose-response' } });
    await publisher.send(ctx);
    expect(puts().at(-1)!.headers['content-range']).toBe(`bytes */${bytes.length}`);
    expect(ctx.state.videoId).toBe(yt.videos[0]!.id);
    expect(yt.videos).toHaveLength(1);
  });

  it('with the session expired after the last chunk, the uploads are searched by title and time', async () => {
    const ctx = context();
    await publisher.prepare(ctx);
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'delay', ms: 0 }, times: 3 });
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'lose-response' } });
    yt.inject({ method: 'PUT', path: /^\/upload\//, fault: { kind: 'reset' } });
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    yt.expire(String(ctx.state.uploadSession));
    yt.processingReads = 0;
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'published', externalId: yt.videos[0]!.id });
    expect(yt.calls(/playlistItems$/)).toHaveLength(1);
  });

  it('an expired session before the last chunk proves absence; a search finds nothing too soon to tell', async () => {
    const ctx = context();
    await publisher.prepare(ctx);
    ctx.save({
      uploadSession: `${yt.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id=gone`,
      uploadStartedAt: Date.now(),
    });
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'absent' });
    ctx.save({ finalChunkSent: true });
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'unknown' });
  });
});

describe('YouTube publisher: refusals', () => {
  it('counts quota: Herald refuses with rate_limited once the day is used, without calling YouTube', async () => {
    publisher = build({ youtubeDailyQuota: 150 });
    const ctx = context();
    await publisher.prepare(ctx);
    await publisher.send(ctx); // 100 units
    const again = context();
    await publisher.prepare(again);
    const before = yt.requests.length;
    await expect(publisher.send(again)).rejects.toMatchObject({ kind: 'rate_limited', code: 'quotaExceeded' });
    expect(yt.requests.length).toBe(before);
  });

  it('maps 403 quotaExceeded, 400 uploadLimitExceeded, a revoked token and a 503', async () => {
    const ctx = context();
    await publisher.prepare(ctx);
    yt.insertsUsed = yt.insertsPerDay;
    const quota = await publisher.send(ctx).catch((e: PlatformError) => e);
    expect(quota).toMatchObject({ kind: 'rate_limited', code: 'quotaExceeded' });
    expect((quota as PlatformError).options.scope).toBe('platform');
    yt.insertsUsed = 0;
    publisher = build();
    channel.uploadsLeft = 0;
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'rate_limited', code: 'uploadLimitExceeded' });
    channel.uploadsLeft = 5;
    yt.inject({
      method: 'POST',
      path: /^\/upload\//,
      fault: {
        kind: 'status',
        status: 503,
        body: {
          error: {
            code: 503,
            message: 'Backend Error',
            errors: [{ reason: 'backendError', domain: 'global', message: 'Backend Error' }],
          },
        },
      },
    });
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'transient' });
    yt.inject({
      method: 'POST',
      path: /^\/upload\//,
      fault: {
        kind: 'status',
        status: 429,
        headers: { 'retry-after': '30' },
        body: {
          error: {
            code: 429,
            message: 'Slow down',
            errors: [{ reason: 'rateLimitExceeded', domain: 'x', message: '' }],
          },
        },
      },
    });
    const slow = await publisher.send(ctx).catch((e: PlatformError) => e);
    expect(slow).toMatchObject({ kind: 'rate_limited', code: 'rateLimitExceeded' });
    expect((slow as PlatformError).retryAfterMs).toBe(30_000);
    yt.revoke(TOKEN);
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'auth' });
    expect(yt.videos).toHaveLength(0);
  });

  it('refuses what YouTube would: no video, a long title, public with publishAt', async () => {
    const bad = context();
    Object.assign(bad, { media: [] });
    await expect(publisher.prepare(bad)).rejects.toMatchObject({ kind: 'permanent' });
    options = { title: 'x'.repeat(101) };
    await expect(publisher.prepare(context())).rejects.toMatchObject({ kind: 'permanent' });
    options = { privacy: 'public', publishAt: '2026-12-01T15:00' };
    await expect(publisher.prepare(context())).rejects.toMatchObject({ kind: 'permanent' });
    options = { privacy: 'private', publishAt: '2026-12-01T15:00', madeForKids: 'yes', category: '27' };
    const ok = context();
    await publisher.prepare(ok);
    await publisher.send(ok);
    expect(yt.calls(/^\/upload\//, 'POST')[0]!.body.status).toEqual({
      privacyStatus: 'private',
      selfDeclaredMadeForKids: true,
      publishAt: '2026-12-01T15:00:00Z',
    });
  });
});

describe('YouTube quota', () => {
  it('is kept in the store across restarts and starts again at midnight Pacific', () => {
    const values = new Map<string, string>();
    const store = {
      get: (k: string) => values.get(k) ?? null,
      put: (k: string, v: string) => void values.set(k, v),
      delete: (k: string) => void values.delete(k),
    };
    let now = Date.parse('2026-11-30T07:30:00Z'); // 23:30 in Los Angeles
    const first = new YouTubeQuota(10_000, () => now, store);
    first.spend(100);
    first.spend(1);
    const restarted = new YouTubeQuota(10_000, () => now, store);
    expect(restarted.used()).toBe(101);
    expect(restarted.untilReset()).toBe(30 * 60_000);
    now += 31 * 60_000; // past midnight Pacific
    expect(restarted.used()).toBe(0);
    restarted.exhaust();
    expect(() => restarted.spend(1)).toThrow(/used up for today/);
  });
});
