import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { MastodonPublisher } from '../../src/platforms/mastodon/publisher.js';
import { DEFAULT_SETTINGS } from '../../src/platforms/mastodon/settings.js';
import type { PlatformError, PublishMedia } from '../../src/platforms/types.js';
import { FakeMastodon, type FakeMastodonUser } from '../fakes/mastodon.js';
import { tempDir } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';
import { testAttempt, type TestAttempt } from '../helpers/attempt-context.js';

let dir: string;
let clock: ManualClock;
let fake: FakeMastodon;
let origin: string;
let user: FakeMastodonUser;
let token: string;
let publisher: MastodonPublisher;

beforeAll(async () => {
  dir = tempDir('mastodon-media-');
  writeFileSync(join(dir, 'photo.png'), await makeImage(800, 800, 'png'));
  writeFileSync(join(dir, 'clip.mp4'), makeMp4());
});

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  fake = new FakeMastodon({ now: () => clock.now() });
  origin = await fake.start();
  user = fake.addUser('bakery');
  token = fake.issueToken(user.id);
  publisher = new MastodonPublisher(
    { ...DEFAULT_SETTINGS, privateHosts: ['127.0.0.1'], requestTimeoutMs: 2_000, mediaPollIntervalMs: 1_000 },
    clock,
  );
});
afterEach(() => fake.stop());

function media(name: 'photo.png' | 'clip.mp4', altText = ''): PublishMedia {
  const mime = name.endsWith('.mp4') ? 'video/mp4' : 'image/png';
  return {
    id: name,
    mime,
    size: 1000,
    width: 800,
    height: 800,
    durationMs: null,
    altText,
    url: `https://herald.example.com/media/${name}`,
    path: join(dir, name),
    jpegUrl: async () => '',
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
      platform: 'mastodon',
      externalId: `${user.id}@x`,
      name: 'Bakery',
      platformData: { instance: origin },
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

const caught = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as PlatformError,
  );

describe('Mastodon publisher', () => {
  it('uploads media with alt text, waits for processing, and posts with CW, visibility and language', async () => {
    fake.processingPolls = 3;
    const ctx = attempt('Fresh bread', [media('photo.png', 'Two loaves')], {
      spoilerText: 'Food',
      visibility: 'unlisted',
      language: 'en',
    });
    const result = await publish(ctx);
    expect(fake.statuses).toHaveLength(1);
    const [status] = fake.statuses;
    expect(status).toMatchObject({ text: 'Fresh bread', spoilerText: 'Food', visibility: 'unlisted', language: 'en' });
    expect(fake.media.get(status!.mediaIds[0]!)!.description).toBe('Two loaves');
    expect(result.externalId).toBe(status!.id);
    expect(result.permalink).toContain(`/@bakery/${status!.id}`);
    expect(fake.calls(/^\/api\/v1\/media\//, 'GET')).toHaveLength(3);
    const create = fake.calls(/\/api\/v1\/statuses$/, 'POST')[0]!;
    expect(create.headers['idempotency-key']).toBe(ctx.state.idempotencyKey);
  });

  it('checks the instance’s own limits before sending', async () => {
    await fake.stop();
    fake = new FakeMastodon({ now: () => clock.now(), maxCharacters: 20 });
    origin = await fake.start();
    user = fake.addUser('bakery');
    token = fake.issueToken(user.id);
    const err = await caught(publisher.prepare(attempt('This caption is longer than twenty characters')));
    expect(err).toMatchObject({ kind: 'permanent', code: 'instance_limits' });
    expect(err!.message).toMatch(/allows 20 characters/);
  });

  it('reconciles a lost answer by re-sending the same Idempotency-Key, without a duplicate', async () => {
    const ctx = attempt('Lost answer');
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    fake.inject({ method: 'POST', path: /\/api\/v1\/statuses$/, fault: { kind: 'lose-response' } });
    const err = await caught(publisher.send(ctx));
    expect(err!.kind).toBe('unknown_outcome');
    expect(fake.statuses).toHaveLength(1);
    clock.advance(10 * 60_000);
    const found = await publisher.lookup(ctx);
    expect(found).toMatchObject({ status: 'published', externalId: fake.statuses[0]!.id });
    expect(fake.statuses).toHaveLength(1);
    // Past the instance's idempotency window there is no proof either way.
    const late = attempt('Lost answer');
    late.state = { idempotencyKey: 'other' };
    late.sentAt = clock.now();
    clock.advance(2 * 3_600_000);
    expect((await publisher.lookup(late)).status).toBe('unknown');
    expect((await publisher.lookup(attempt('never sent'))).status).toBe('absent');
  });

  it('maps 5xx, 429 with its reset time, and a revoked token', async () => {
    fake.inject({
      method: 'POST',
      path: /\/api\/v1\/statuses$/,
      fault: { kind: 'status', status: 503, body: { error: 'down' } },
    });
    expect((await caught(publish(attempt('a'))))!.kind).toBe('unknown_outcome');
    const reset = new Date(clock.now() + 120_000).toISOString();
    fake.inject({
      method: 'GET',
      path: /\/api\/v2\/instance$/,
      fault: {
        kind: 'status',
        status: 429,
        body: { error: 'Too many requests' },
        headers: { 'x-ratelimit-reset': reset },
      },
    });
    const limited = await caught(publisher.prepare(attempt('b')));
    expect(limited).toMatchObject({ kind: 'rate_limited' });
    expect(limited!.retryAfterMs).toBe(120_000);
    fake.remaining = 1;
    const spent = await caught(publisher.prepare(attempt('b')));
    expect(spent).toMatchObject({ kind: 'rate_limited', code: 'budget' });
    expect(fake.media.size + fake.statuses.length).toBe(0);
    fake.remaining = 300;
    fake.revokeAll(user.id);
    expect(await caught(publish(attempt('c')))).toMatchObject({ kind: 'auth' });
  });

  it('refuses a video together with images before uploading anything', async () => {
    const err = await caught(publisher.prepare(attempt('x', [media('clip.mp4'), media('photo.png')])));
    expect(err!.kind).toBe('permanent');
    expect(fake.media.size).toBe(0);
  });
});
