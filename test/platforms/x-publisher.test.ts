import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import type { PublishMedia } from '../../src/platforms/types.js';
import { xPlatform } from '../../src/platforms/x/index.js';
import type { XPostCap } from '../../src/platforms/x/post-cap.js';
import type { XPublisher } from '../../src/platforms/x/publisher.js';
import { FakeX, type FakeXUser } from '../fakes/x.js';
import { testAttempt, type TestAttempt } from '../helpers/attempt-context.js';

const APP = { clientId: 'x-client', clientSecret: 'x-secret' };
let dir: string;
let clock: ManualClock;
let fake: FakeX;
let publisher: XPublisher;
let cap: XPostCap;
let user: FakeXUser;
let tokens: { access: string; refresh: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'x-media-'));
  await writeFile(join(dir, 'photo.jpg'), Buffer.alloc(5_000, 1));
  await writeFile(join(dir, 'clip.mp4'), Buffer.alloc(1024 * 1024 + 10, 2));
});

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  fake = new FakeX({ ...APP, redirectUris: [], now: () => clock.now() });
  const url = await fake.start();
  user = fake.addUser({ username: 'acmebakery', name: 'Acme Bakery' });
  tokens = fake.issue(user.id);
  ({ publisher, cap } = xPlatform({
    settings: { ...APP, authorizeUrl: `${url}/i/oauth2/authorize`, apiUrl: url, monthlyPostCap: 50 },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000, timelineLagMs: 60_000 },
  }));
});
afterEach(() => fake.stop());

function media(name: 'photo.jpg' | 'clip.mp4', altText = ''): PublishMedia {
  const mime = name.endsWith('.mp4') ? 'video/mp4' : 'image/jpeg';
  return {
    id: name,
    mime,
    size: 1,
    width: 100,
    height: 100,
    durationMs: null,
    altText,
    url: 'http://unused',
    path: join(dir, name),
    jpegUrl: async () => 'http://unused',
  };
}

type Ctx = TestAttempt;

function attempt(caption: string, items: PublishMedia[] = [], options: Record<string, unknown> = {}): Ctx {
  return testAttempt({
    caption,
    options,
    media: items,
    account: {
      id: 'acc-1',
      platform: 'x',
      externalId: user.id,
      name: 'Acme',
      platformData: { username: 'acmebakery' },
      accessToken: tokens.access,
      refreshToken: tokens.refresh,
      tokenExpiresAt: clock.now() + 7_000_000,
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

describe('X publisher', () => {
  it('posts text with an image (alt text set) and returns the permalink', async () => {
    const ctx = attempt('Fresh bread today', [media('photo.jpg', 'A loaf')]);
    const result = await publish(ctx);
    expect(fake.tweets).toHaveLength(1);
    expect(fake.tweets[0]!.mediaIds).toEqual([ctx.state['media:photo.jpg']]);
    expect(result.permalink).toBe(`https://x.com/acmebakery/status/${fake.tweets[0]!.id}`);
    expect(fake.server.calls(/\/2\/media\/metadata/)).toHaveLength(1);
  });

  it('uploads a video in contiguous segments and waits for processing before posting', async () => {
    const ctx = attempt('Watch', [media('clip.mp4')]);
    await publish(ctx);
    expect(fake.server.calls(/append$/)).toHaveLength(2);
    expect(fake.server.calls(/^\/2\/media\/upload$/, 'GET').length).toBeGreaterThan(0);
    expect(fake.tweets[0]!.mediaIds).toHaveLength(1);
  });

  it('splits a long caption into a thread, each reply to the one before', async () => {
    const caption = Array.from({ length: 25 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const ctx = attempt(caption, [], { thread: 'yes' });
    await publish(ctx);
    expect(fake.tweets.length).toBeGreaterThan(2);
    for (let i = 1; i < fake.tweets.length; i++) expect(fake.tweets[i]!.replyTo).toBe(fake.tweets[i - 1]!.id);
    expect(ctx.state.tweetIds).toEqual(fake.tweets.map((t) => t.id));
  });

  it('a thread interrupted by a lost reply continues from where it stopped, without duplicates', async () => {
    const caption = Array.from({ length: 25 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const ctx = attempt(caption, [], { thread: 'yes' });
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    await publisher.send(ctx);
    fake.server.inject({ method: 'POST', path: /^\/2\/tweets$/, fault: { kind: 'lose-response' } });
    await expect(publisher.confirm(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    expect(ctx.state.tweetIds).toHaveLength(1);
    clock.advance(120_000);
    const found = await publisher.lookup(ctx);
    expect(found.status).toBe('published');
    const parts = (ctx.state.parts as string[]).length;
    expect(fake.tweets).toHaveLength(parts);
    expect(new Set(fake.tweets.map((t) => t.text)).size).toBe(parts);
  });

  it('a lost answer to the post is found on the timeline, never sent twice', async () => {
    const ctx = attempt('Only once', [media('photo.jpg')]);
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    fake.server.inject({ method: 'POST', path: /^\/2\/tweets$/, fault: { kind: 'lose-response' } });
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    const found = await publisher.lookup(ctx);
    expect(found).toMatchObject({ status: 'published', externalId: fake.tweets[0]!.id });
    expect(fake.tweets).toHaveLength(1);
  });

  it('nothing on the timeline after the lag is proof of absence', async () => {
    const ctx = attempt('Never arrived');
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    fake.server.inject({ method: 'POST', path: /^\/2\/tweets$/, fault: { kind: 'reset' } });
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    expect((await publisher.lookup(ctx)).status).toBe('unknown');
    clock.advance(61_000);
    expect((await publisher.lookup(ctx)).status).toBe('absent');
  });

  it('maps duplicate content to a plain permanent error, 429 to a wait until the reset, 5xx to unknown', async () => {
    await publish(attempt('Same words'));
    const dup = await publisher.send(attempt('Same words')).catch((e) => e);
    expect(dup).toMatchObject({ kind: 'permanent' });
    expect(dup.message).toMatch(/already posted the same text/);
    const reset = String(Math.ceil(clock.now() / 1000) + 600);
    fake.server.inject({
      method: 'POST',
      path: /^\/2\/tweets$/,
      fault: {
        kind: 'status',
        status: 429,
        body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank' },
        headers: {
          'content-type': 'application/problem+json',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': reset,
        },
      },
    });
    const limited = await publisher.send(attempt('Other words')).catch((e) => e);
    expect(limited).toMatchObject({ kind: 'rate_limited' });
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(599_000);
    expect(limited.options.scope).toBe('account');
    // The window stays spent until its reset, without asking X.
    expect(await publisher.send(attempt('Other words')).catch((e) => e)).toMatchObject({ code: 'x:window_spent' });
    clock.advance(601_000);
    fake.server.inject({ method: 'POST', path: /^\/2\/tweets$/, fault: { kind: 'status', status: 503, body: {} } });
    expect(await publisher.send(attempt('Third words')).catch((e) => e)).toMatchObject({ kind: 'unknown_outcome' });
  });

  it('renews a nearly expired token first and stores the rotated pair; a revoked token is auth', async () => {
    const ctx = attempt('Renewed');
    ctx.account = { ...ctx.account, tokenExpiresAt: clock.now() + 60_000 };
    await publish(ctx);
    expect(ctx.stored).toHaveLength(1);
    expect(ctx.stored[0]!.refreshToken).not.toBe(tokens.refresh);
    fake.revoke(user.id);
    expect(await publisher.prepare(attempt('Gone', [media('photo.jpg')])).catch((e) => e)).toMatchObject({
      kind: 'auth',
    });
  });
});

describe('rate-limit headers', () => {
  it('a used-up window (x-rate-limit-remaining 0) makes the next post wait until its reset, unasked', async () => {
    fake.postsLeft = 1;
    await publish(attempt('The last one in this window'));
    const calls = fake.server.calls(/^\/2\/tweets$/, 'POST').length;
    const waited = await publisher.send(attempt('Next window')).catch((e) => e);
    expect(waited).toMatchObject({ kind: 'rate_limited', code: 'x:window_spent' });
    expect(waited.retryAfterMs).toBeGreaterThan(890_000);
    expect(fake.server.calls(/^\/2\/tweets$/, 'POST')).toHaveLength(calls);
  });
});

describe('the monthly post cap', () => {
  it('counts each post, refuses beyond the cap until the month turns, and shows the count', async () => {
    ({ publisher, cap } = xPlatform({
      settings: {
        ...APP,
        authorizeUrl: `${fake.server.url}/i/oauth2/authorize`,
        apiUrl: fake.server.url,
        monthlyPostCap: 3,
      },
      log: createLogger('silent'),
      clock,
      timing: { requestTimeoutMs: 5_000 },
    }));
    for (const t of ['one', 'two', 'three']) await publish(attempt(t));
    expect(cap.usage()).toEqual([{ label: 'posts this month', used: 3, limit: 3, resetsAt: Date.UTC(2026, 11, 1) }]);
    const refused = await publisher.send(attempt('four')).catch((e) => e);
    expect(refused).toMatchObject({ kind: 'rate_limited', code: 'x:monthly_cap' });
    expect(refused.retryAfterMs).toBe(Date.UTC(2026, 11, 1) - clock.now());
    expect(fake.tweets).toHaveLength(3);
    clock.set(Date.UTC(2026, 11, 1, 0, 1));
    tokens = fake.issue(user.id);
    await publish(attempt('four'));
    expect(cap.usage()[0]!.used).toBe(1);
  });
});

describe('the X fake', () => {
  it('refuses unknown fields, the legacy command form, gaps in segments and media not processed', async () => {
    const auth = { authorization: `Bearer ${tokens.access}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown) =>
      fetch(`${fake.server.url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    expect((await post('/2/tweets', { text: 'hi', extra: 1 })).status).toBe(400);
    expect((await post('/2/media/upload?command=INIT', {})).status).toBe(404);
    const init = await (
      await post('/2/media/upload/initialize', {
        media_type: 'video/mp4',
        total_bytes: 10,
        media_category: 'tweet_video',
      })
    ).json();
    const form = new FormData();
    form.set('segment_index', '1');
    form.set('media', new Blob([Buffer.alloc(10)]));
    const gap = await fetch(`${fake.server.url}/2/media/upload/${init.data.id}/append`, {
      method: 'POST',
      headers: { authorization: auth.authorization },
      body: form,
    });
    expect(gap.status).toBe(400);
    expect((await post(`/2/media/upload/${init.data.id}/finalize`, {})).status).toBe(400);
    expect((await post('/2/tweets', { text: 'hi', media: { media_ids: [init.data.id] } })).status).toBe(400);
    expect((await post('/2/tweets', { text: 'a'.repeat(281) })).status).toBe(403);
  });
});
