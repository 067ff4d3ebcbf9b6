import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { linkedinPlatform, linkedInSettings } from '../../src/platforms/linkedin/index.js';
import type { LinkedInPublisher } from '../../src/platforms/linkedin/publisher.js';
import {
  PlatformError,
  type AttemptContext,
  type ConnectedAccount,
  type PublishMedia,
  type StepLog,
} from '../../src/platforms/types.js';
import { FakeLinkedIn, MiB } from '../fakes/linkedin.js';
import { tempDir } from '../helpers/herald.js';
import { makeImage, makeMp4 } from '../helpers/media-fixtures.js';

const REDIRECT = 'https://herald.example.com/auth/linkedin/callback';
const SCOPES = [
  'openid',
  'profile',
  'w_member_social',
  'w_organization_social',
  'r_organization_social',
  'rw_organization_admin',
];
const ORG = 'urn:li:organization:2414183';
const PERSON = 'urn:li:person:jAnE-42';

let li: FakeLinkedIn;
let clock: ManualClock;
let publisher: LinkedInPublisher;
let accounts: ConnectedAccount[];
let dir: string;

beforeEach(async () => {
  li = new FakeLinkedIn({
    clientId: 'li-id',
    clientSecret: 'li-secret',
    redirectUris: [REDIRECT],
    scopes: SCOPES,
    refreshTokens: false,
  });
  await li.start();
  clock = new ManualClock(Date.UTC(2026, 10, 30, 9));
  li.now = () => clock.now();
  const built = linkedinPlatform({
    settings: linkedInSettings({
      clientId: 'li-id',
      clientSecret: 'li-secret',
      apiVersion: '202511',
      authUrl: `${li.url}/oauth/v2`,
      apiUrl: li.url,
    }),
    log: createLogger('silent'),
    clock,
    options: { requestTimeoutMs: 5_000 },
  });
  publisher = built.publisher;
  const request = { state: 's', redirectUri: REDIRECT, codeVerifier: 'v' };
  const consent = await fetch(await built.connector.authorizationUrl(request), { redirect: 'manual' });
  accounts = [...(await built.connector.complete(new URL(consent.headers.get('location')!), request)).accounts];
  dir = tempDir();
});
afterEach(async () => {
  await li.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Ctx = AttemptContext & { state: Record<string, unknown>; logs: StepLog[]; sentAt: number | null };

function context(author: string, caption: string, media: PublishMedia[] = []): Ctx {
  const account = accounts.find((a) => a.externalId === author)!;
  const state: Record<string, unknown> = {};
  const ctx = {
    postId: 'post-1',
    attemptId: 'att-1',
    surface: 'feed' as const,
    firstComment: '',
    caption,
    options: {},
    source: 'manual' as const,
    scheduledAt: null,
    media,
    account: {
      id: 'acc',
      platform: 'linkedin',
      externalId: account.externalId,
      name: account.name,
      platformData: account.platformData ?? {},
      accessToken: account.accessToken,
      refreshToken: null,
      tokenExpiresAt: account.tokenExpiresAt,
    },
    client: { settings: {} },
    state,
    sentAt: null as number | null,
    logs: [] as StepLog[],
    save(patch: Record<string, unknown>) {
      Object.assign(state, structuredClone(patch));
    },
    log(entry: StepLog) {
      ctx.logs.push(entry);
    },
    now: () => clock.now(),
    storeTokens: () => {},
    signal: new AbortController().signal,
  };
  return ctx;
}

/** The engine's order: prepare, note the send time, send once, confirm. */
async function publish(ctx: Ctx) {
  await publisher.prepare(ctx);
  ctx.sentAt = clock.now();
  await publisher.send(ctx);
  return publisher.confirm(ctx);
}

async function file(name: string, bytes: Buffer, mime: string): Promise<PublishMedia> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return {
    id: name,
    mime,
    size: bytes.length,
    width: null,
    height: null,
    durationMs: null,
    altText: '',
    url: `https://herald.example.com/media/${name}`,
    path,
    jpegUrl: async () => `https://herald.example.com/media/${name}`,
  };
}

const image = async (name: string) => file(name, await makeImage(640, 480), 'image/jpeg');
const createCalls = () => li.calls(/^\/rest\/posts$/, 'POST');

describe('LinkedInPublisher', () => {
  it('publishes a text post with the commentary escaped, and saves the URN from x-restli-id', async () => {
    const ctx = context(
      ORG,
      'Open today (9–5) at Acme_Bakery! #fresh @[Acme Labs](urn:li:organization:5550001) ~ *new*',
    );
    const result = await publish(ctx);
    expect(li.livePosts()).toHaveLength(1);
    const post = li.livePosts()[0]!;
    expect(post.commentary).toBe(
      'Open today \\(9–5\\) at Acme\\_Bakery! #fresh @[Acme Labs](urn:li:organization:5550001) \\~ \\*new\\*',
    );
    expect(result).toEqual({ externalId: post.id, permalink: `https://www.linkedin.com/feed/update/${post.id}/` });
    expect(ctx.state.postUrn).toBe(post.id);
    const body = createCalls()[0]!.body;
    expect(body).toMatchObject({ author: ORG, visibility: 'PUBLIC', lifecycleState: 'PUBLISHED' });
    expect(body.distribution).toEqual({
      feedDistribution: 'MAIN_FEED',
      targetEntities: [],
      thirdPartyDistributionChannels: [],
    });
  });

  it('publishes a link as an article', async () => {
    await publish(context(ORG, 'Our new menu\nhttps://acme.example/menu?x=1'));
    expect(li.livePosts()[0]!.content).toEqual({
      article: { source: 'https://acme.example/menu?x=1', title: 'Our new menu' },
    });
  });

  it('uploads a single image with one PUT, waits for AVAILABLE, then posts it', async () => {
    const photo = await image('a.jpg');
    await publish(context(ORG, 'One photo', [photo]));
    const [put] = li.calls(/^\/dms-uploads\/image\//, 'PUT');
    expect(put!.raw.length).toBe(photo.size);
    expect(li.calls(/^\/rest\/images\/urn%3Ali%3Aimage%3A/, 'GET').length).toBeGreaterThanOrEqual(2);
    const content = li.livePosts()[0]!.content!;
    expect(content.media.id).toMatch(/^urn:li:image:/);
    expect(li.mediaStatus(content.media.id)).toBe('AVAILABLE');
  });

  it('posts several images as a multiImage post, with their alt text', async () => {
    const media = [await image('a.jpg'), { ...(await image('b.jpg')), altText: 'Rye loaves' }, await image('c.jpg')];
    await publish(context(ORG, 'Three', media));
    const images = li.livePosts()[0]!.content!.multiImage.images;
    expect(images).toHaveLength(3);
    expect(images[1].altText).toBe('Rye loaves');
    expect(images[0].altText).toBeUndefined();
  });

  it('a Page the member no longer administers is a permanent refusal in words, and nothing is posted', async () => {
    const ctx = context(ORG, 'Hello');
    await publisher.prepare(ctx);
    li.acls = li.acls.filter((a) => a.organization !== ORG);
    const err = (await publisher.send(ctx).catch((e) => e)) as PlatformError;
    expect(err.kind).toBe('permanent');
    expect(err.code).toBe('ACCESS_DENIED');
    expect(err.message).toMatch(/Page role/);
    expect(li.livePosts()).toHaveLength(0);
  });

  it('uploads a video in its byte ranges, finalizes with the ETags in order and gets a ugcPost', async () => {
    const clip = await file('v.mp4', makeMp4({ bytes: 9 * MiB }), 'video/mp4');
    const ctx = context(ORG, 'Video', [clip]);
    const result = await publish(ctx);
    const parts = li.calls(/^\/dms-uploads\/video\//, 'PUT');
    expect(parts.map((p) => p.raw.length)).toEqual([4 * MiB, 4 * MiB, clip.size - 8 * MiB]);
    expect(parts.every((p) => p.headers.authorization === undefined)).toBe(true);
    const finalize = li.calls(/^\/rest\/videos$/, 'POST').find((r) => r.query.action === 'finalizeUpload')!;
    expect(finalize.body.finalizeUploadRequest.uploadedPartIds).toHaveLength(3);
    expect(result.externalId).toMatch(/^urn:li:ugcPost:/);
  });

  it('stops with words when LinkedIn cannot process the video, before anything is posted', async () => {
    li.failNextVideo = true;
    const clip = await file('v.mp4', makeMp4({ bytes: 200_000 }), 'video/mp4');
    await expect(publisher.prepare(context(ORG, 'Video', [clip]))).rejects.toMatchObject({
      kind: 'permanent',
      code: 'processing_failed',
    });
    expect(createCalls()).toHaveLength(0);
  });

  it('posts an image as the member, whose token cannot read images back', async () => {
    await publish(context(PERSON, 'Personal', [await image('p.jpg')]));
    expect(li.livePosts()[0]!.author).toBe(PERSON);
  });

  it('a lost response after the create call is reconciled by lookup without a duplicate', async () => {
    li.inject({ method: 'POST', path: /^\/rest\/posts$/, fault: { kind: 'lose-response' } });
    const ctx = context(ORG, 'Lost (but found) #again');
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    const err = await publisher.send(ctx).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.kind).toBe('unknown_outcome');
    expect(ctx.state.postUrn).toBeUndefined();
    // A newer post on the Page with other text does not confuse the match.
    clock.advance(1_000);
    await publish(context(ORG, 'Something else'));
    clock.advance(2_000);
    const found = await publisher.lookup(ctx);
    const ours = li.livePosts().find((p) => p.commentary.startsWith('Lost'))!;
    expect(found).toEqual({
      status: 'published',
      externalId: ours.id,
      permalink: `https://www.linkedin.com/feed/update/${ours.id}/`,
    });
    expect(ctx.state.postUrn).toBe(ours.id);
    expect(await publisher.confirm(ctx)).toMatchObject({ externalId: ours.id });
    expect(li.livePosts().filter((p) => p.commentary.startsWith('Lost'))).toHaveLength(1);
    expect(createCalls()).toHaveLength(2);
    const finder = li.calls(/^\/rest\/posts$/, 'GET')[0]!;
    expect(finder.query).toMatchObject({ q: 'author', author: ORG });
  });

  const createCall5xx =
    'a 5xx on the create call is an unknown outcome; lookup: unknown until LinkedIn had time, then absent';
  it(createCall5xx, async () => {
    li.inject({
      method: 'POST',
      path: /^\/rest\/posts$/,
      fault: { kind: 'status', status: 504, body: { message: 'Gateway timeout', status: 504 } },
    });
    const ctx = context(ORG, 'Maybe');
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'unknown' });
    clock.advance(6 * 60_000);
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'absent' });
    expect(li.livePosts()).toHaveLength(0);
  });

  it('lookup still recognises the post when LinkedIn hands its text back without the escapes', async () => {
    li.inject({ method: 'POST', path: /^\/rest\/posts$/, fault: { kind: 'lose-response' } });
    const ctx = context(ORG, 'Fresh (rye)  bread_day');
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    li.livePosts()[0]!.commentary = 'Fresh (rye) bread_day';
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'published', externalId: li.livePosts()[0]!.id });
  });

  it('a different post after the send keeps the answer at unknown rather than absent', async () => {
    li.inject({ method: 'POST', path: /^\/rest\/posts$/, fault: { kind: 'status', status: 503 } });
    const ctx = context(ORG, 'Ours');
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    clock.advance(1_000);
    await publish(context(ORG, 'Posted by hand in the meantime'));
    clock.advance(10 * 60_000);
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'unknown' });
  });

  it("cannot look up a member's posts and says so instead of guessing", async () => {
    li.inject({ method: 'POST', path: /^\/rest\/posts$/, fault: { kind: 'reset' } });
    const ctx = context(PERSON, 'Mine');
    await publisher.prepare(ctx);
    ctx.sentAt = clock.now();
    await expect(publisher.send(ctx)).rejects.toMatchObject({ kind: 'unknown_outcome' });
    clock.advance(60 * 60_000);
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'unknown' });
  });

  it('honours Retry-After on a 429 and creates nothing', async () => {
    li.inject({
      method: 'POST',
      path: /^\/rest\/posts$/,
      fault: {
        kind: 'status',
        status: 429,
        body: { message: 'Resource level throttle limit for calls to this resource is reached.', status: 429 },
        headers: { 'retry-after': '120' },
      },
    });
    const ctx = context(ORG, 'Busy');
    await publisher.prepare(ctx);
    const err = (await publisher.send(ctx).catch((e) => e)) as PlatformError;
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(120_000);
    expect(err.message).toMatch(/throttl/);
    expect(li.livePosts()).toHaveLength(0);
  });

  it('a revoked token is an auth error in plain words', async () => {
    li.revoke();
    await expect(publisher.prepare(context(ORG, 'x', [await image('r.jpg')]))).rejects.toMatchObject({
      kind: 'auth',
      message: expect.stringMatching(/reconnect LinkedIn/),
    });
  });

  it('refuses commentary over 3,000 escaped characters before calling LinkedIn', async () => {
    const before = li.requests.length;
    await expect(publisher.prepare(context(ORG, '('.repeat(1_600)))).rejects.toMatchObject({
      code: 'commentary_too_long',
    });
    expect(li.requests.length).toBe(before);
  });
});
