import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import {
  checkLocalPost,
  googlePlatform,
  type GoogleBusinessPublisher,
  type LocalPostDetails,
} from '../../src/platforms/google/index.js';
import { PlatformError, type AttemptContext, type PublishMedia, type StepLog } from '../../src/platforms/types.js';
import { FakeGoogle, type GoogleLocation } from '../fakes/google.js';
import { makeImage, startFileHost, type FileHost } from '../helpers/media-fixtures.js';

const APP = { clientId: 'herald.apps.googleusercontent.com', clientSecret: 'gs-secret' };
const MINUTE = 60_000;

let media: FileHost;
let photoBytes: Buffer;
let g: FakeGoogle;
let loc: GoogleLocation;
let accountId: string;
let publisher: GoogleBusinessPublisher;
/** The post's options as the editor or the API stores them (AttemptContext.options). */
let options: Record<string, unknown>;
let accessToken: string;

beforeAll(async () => {
  photoBytes = await makeImage(1200, 900);
  media = await startFileHost({ '/media/bread.jpg': ['image/jpeg', photoBytes] });
});
afterAll(async () => {
  await media.close();
});

beforeEach(async () => {
  g = new FakeGoogle(APP);
  await g.start();
  accountId = g.user.accounts[0]!;
  loc = g.addLocation(accountId, { title: 'Acme Bakery' });
  options = {};
  const platform = googlePlatform({
    settings: { ...APP, ...g.settings() },
    log: createLogger('silent'),
    clock: new ManualClock(Date.now()),
    options: { requestTimeoutMs: 3_000, pollIntervalMs: 10_000, confirmTimeoutMs: 5 * MINUTE },
  });
  publisher = platform.publisher;
  const request = {
    state: 's',
    redirectUri: 'https://herald.example.com/auth/google/callback',
    codeVerifier: 'v'.repeat(43),
  };
  const consent = await fetch(await platform.connector.authorizationUrl(request), { redirect: 'manual' });
  const granted = await platform.connector.complete(new URL(consent.headers.get('location')!), request);
  accessToken = granted.accounts[0]!.accessToken;
});
afterEach(async () => {
  await g.stop();
});

function photo(): PublishMedia {
  return {
    id: 'm1',
    mime: 'image/jpeg',
    size: photoBytes.length + 20_000,
    width: 1200,
    height: 900,
    durationMs: null,
    altText: '',
    url: `${media.url}/media/bread.jpg`,
    path: '/unused',
    jpegUrl: async () => `${media.url}/media/bread.jpg`,
  };
}

interface TestCtx extends AttemptContext {
  account: AttemptContext['account'];
  logs: StepLog[];
  state: Record<string, unknown>;
  sentAt: number | null;
  at: number;
}

function context(caption: string, mediaList: PublishMedia[] = []): TestCtx {
  const ctx = {
    postId: 'p1',
    attemptId: 'a1',
    surface: 'feed' as const,
    firstComment: '',
    caption,
    options,
    source: 'manual' as const,
    scheduledAt: null,
    media: mediaList,
    account: {
      id: 'acc1',
      platform: 'google_business',
      externalId: `accounts/${accountId}/locations/${loc.id}`,
      name: 'Acme Bakery',
      platformData: {},
      accessToken,
      refreshToken: null,
      tokenExpiresAt: null,
    },
    client: { settings: {} },
    state: {} as Record<string, unknown>,
    sentAt: null as number | null,
    at: Date.now(),
    logs: [] as StepLog[],
    save(patch: Record<string, unknown>) {
      Object.assign(ctx.state, patch);
    },
    log(entry: StepLog) {
      ctx.logs.push(entry);
    },
    now: () => ctx.at,
    storeTokens: () => {},
    signal: new AbortController().signal,
  };
  return ctx;
}

async function publish(ctx: TestCtx) {
  await publisher.prepare(ctx);
  ctx.sentAt = ctx.at;
  await publisher.send(ctx);
  return publisher.confirm(ctx);
}

const postsCreated = () => g.calls(/\/localPosts$/, 'POST');

describe('Google Business Profile publisher', () => {
  it(
    'publishes an update with a photo and a button, saves the name at once, ' + 'and follows PROCESSING to LIVE',
    async () => {
      options = { buttonType: 'ORDER', buttonUrl: 'https://acme.example/order' };
      const ctx = context('Fresh sourdough every Saturday.', [photo()]);
      await publisher.prepare(ctx);
      await publisher.send(ctx);
      const name = ctx.state.localPostName as string;
      expect(name).toMatch(new RegExp(`^accounts/${accountId}/locations/${loc.id}/localPosts/`));
      expect(ctx.state.postState).toBe('PROCESSING');
      const result = await publisher.confirm(ctx);
      expect(result.externalId).toBe(name);
      expect(result.permalink).toMatch(/^https:\/\/local\.google\.com\//);
      expect(postsCreated()[0]!.body).toEqual({
        languageCode: 'en',
        summary: 'Fresh sourdough every Saturday.',
        topicType: 'STANDARD',
        callToAction: { actionType: 'ORDER', url: 'https://acme.example/order' },
        media: [{ mediaFormat: 'PHOTO', sourceUrl: `${media.url}/media/bread.jpg` }],
      });
      expect(g.mediaFetches).toEqual([{ url: `${media.url}/media/bread.jpg`, problem: null }]);
      expect(g.posts).toHaveLength(1);
    },
  );

  it('sends a CALL button without a link', async () => {
    options = { buttonType: 'CALL' };
    await publish(context('Ring us for cake orders.'));
    expect(postsCreated()[0]!.body.callToAction).toEqual({ actionType: 'CALL' });
  });

  it('publishes an event with its title and full schedule', async () => {
    options = {
      topicType: 'EVENT',
      eventTitle: 'Bread tasting',
      eventStart: '2027-02-05T18:00',
      eventEnd: '2027-02-05T21:30',
      buttonType: 'SIGN_UP',
      buttonUrl: 'https://acme.example/tasting',
    };
    await publish(context('Taste five new loaves.'));
    expect(postsCreated()[0]!.body).toMatchObject({
      topicType: 'EVENT',
      event: {
        title: 'Bread tasting',
        schedule: {
          startDate: { year: 2027, month: 2, day: 5 },
          startTime: { hours: 18, minutes: 0, seconds: 0, nanos: 0 },
          endDate: { year: 2027, month: 2, day: 5 },
          endTime: { hours: 21, minutes: 30, seconds: 0, nanos: 0 },
        },
      },
    });
  });

  it('publishes an offer with its coupon, link and terms and no button', async () => {
    g.ctaOnOffer = 'reject';
    options = {
      topicType: 'OFFER',
      eventTitle: 'Half-price croissants',
      eventStart: '2027-03-01T07:00',
      eventEnd: '2027-03-07T12:00',
      offerCoupon: 'CROISSANT50',
      offerUrl: 'https://acme.example/offer',
      offerTerms: 'One per visit.',
    };
    await publish(context('Mornings only.', [photo()]));
    const body = postsCreated()[0]!.body;
    expect(body.offer).toEqual({
      couponCode: 'CROISSANT50',
      redeemOnlineUrl: 'https://acme.example/offer',
      termsConditions: 'One per visit.',
    });
    expect(body.callToAction).toBeUndefined();
  });

  it('refuses before sending what Google would refuse', async () => {
    const cases: Array<[LocalPostDetails, string]> = [
      [{ topicType: 'STANDARD', callToAction: { actionType: 'CALL', url: 'https://a.example' } }, 'callToAction.url'],
      [{ topicType: 'STANDARD', callToAction: { actionType: 'BOOK' } }, 'callToAction.url'],
      [{ topicType: 'EVENT' }, 'event'],
      [
        {
          topicType: 'EVENT',
          event: {
            title: 'x'.repeat(59),
            start: { date: '2027-01-01', time: '10:00' },
            end: { date: '2027-01-01', time: '11:00' },
          },
        },
        'event.title',
      ],
      [
        {
          topicType: 'EVENT',
          event: {
            title: 'Late',
            start: { date: '2027-01-02', time: '10:00' },
            end: { date: '2027-01-01', time: '11:00' },
          },
        },
        'event.end',
      ],
      [{ topicType: 'STANDARD', offer: { couponCode: 'A' } }, 'offer'],
    ];
    for (const [d, field] of cases)
      expect(checkLocalPost({ summary: 'Hi', media: [], details: d }).map((p) => p.field)).toContain(field);
    expect(checkLocalPost({ summary: 'x'.repeat(1501), media: [], details: { topicType: 'STANDARD' } })[0]!.field).toBe(
      'summary',
    );
    expect(
      checkLocalPost({
        summary: 'ok',
        media: [{ mime: 'video/mp4', size: 1e6, width: 1, height: 1 }],
        details: { topicType: 'STANDARD' },
      })[0]!.field,
    ).toBe('media');

    options = { topicType: 'EVENT' };
    const err = await publisher.prepare(context('An event without a date')).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ kind: 'permanent', code: 'invalid_post' });
    // Stored fields that no longer parse are refused, never sent as a plain update.
    options = { topicType: 'ALERT', eventTitle: 'Closed today' };
    const stale = await publisher.prepare(context('Closed for the holiday')).catch((e) => e);
    expect(stale).toMatchObject({ kind: 'permanent', code: 'invalid_post' });
    expect(stale.message).toMatch(/fields of this post are not valid/);
    expect(g.requests.filter((r) => r.path.includes('/mybusiness/'))).toHaveLength(0);
  });

  it('turns a REJECTED post into a permanent error, in confirm and in lookup', async () => {
    const ctx = context('Call us on +1 555 010 9999 for orders!');
    const err = await publish(ctx).catch((e) => e);
    expect(err).toMatchObject({ kind: 'permanent', code: 'REJECTED' });
    expect(ctx.state.localPostName).toBeTruthy();
    const found = await publisher.lookup(ctx);
    expect(found.status).toBe('failed');
  });

  it('reconciles a lost answer after the create by finding the post, without creating it twice', async () => {
    const ctx = context('Hot cross buns are back.', [photo()]);
    await publisher.prepare(ctx);
    ctx.sentAt = Date.now();
    g.inject({ method: 'POST', path: /\/localPosts$/, fault: { kind: 'lose-response' } });
    const err = await publisher.send(ctx).catch((e) => e);
    expect(err).toMatchObject({ kind: 'unknown_outcome' });
    expect(ctx.state.localPostName).toBeUndefined();
    expect(g.posts).toHaveLength(1);

    const found = await publisher.lookup(ctx);
    expect(found.status).toBe('pending');
    expect(ctx.state.localPostName).toBe(g.posts[0]!.name);
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'published', externalId: g.posts[0]!.name });
    expect(postsCreated()).toHaveLength(1);
    expect(g.posts).toHaveLength(1);
  });

  it('says absent only once Google has had time to list the post, and a later send creates exactly one', async () => {
    g.addLocation(accountId); // another location's posts never match
    const ctx = context('Gingerbread week.');
    await publisher.prepare(ctx);
    ctx.sentAt = Date.now();
    // A 503 answered before anything happened: Herald cannot know that, so the outcome is unknown.
    g.inject({
      method: 'POST',
      path: /\/localPosts$/,
      fault: {
        kind: 'status',
        status: 503,
        body: { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } },
      },
    });
    expect(await publisher.send(ctx).catch((e) => e)).toMatchObject({ kind: 'unknown_outcome' });
    expect(g.posts).toHaveLength(0);
    ctx.at = ctx.sentAt + 10_000;
    expect((await publisher.lookup(ctx)).status).toBe('unknown');
    ctx.at = ctx.sentAt + 3 * MINUTE;
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'absent' });
    await publisher.send(ctx);
    await publisher.confirm(ctx);
    expect(g.posts).toHaveLength(1);
  });

  it('does not mistake an older post with the same text for this one', async () => {
    const first = context('Same words.');
    await publish(first);
    const ctx = context('Same words.');
    await publisher.prepare(ctx);
    ctx.sentAt = Date.parse(g.posts[0]!.createTime) + 10 * MINUTE;
    ctx.at = ctx.sentAt + 3 * MINUTE;
    expect(await publisher.lookup(ctx)).toMatchObject({ status: 'absent' });
  });

  it('maps Google errors to kinds with plain words', async () => {
    const ctx = context('Rate limited.');
    await publisher.prepare(ctx);
    g.inject({
      method: 'POST',
      path: /\/localPosts$/,
      fault: {
        kind: 'status',
        status: 429,
        headers: { 'retry-after': '30' },
        body: { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } },
      },
    });
    const limited = await publisher.send(ctx).catch((e) => e);
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
    expect(g.posts).toHaveLength(0);
    expect(limited.options.scope).toBe('account');

    // A project without approved API access: quota 0 for the whole project, explained plainly.
    g.approved = false;
    const unapproved = await publisher.send(ctx).catch((e) => e);
    expect(unapproved).toMatchObject({ kind: 'rate_limited', retryAfterMs: 60_000 });
    expect(unapproved.options.scope).toBe('platform');
    expect(unapproved.message).toMatch(/not been approved for the Business Profile APIs/);
    g.approved = true;

    // The user no longer manages the location.
    const managed = g.user.accounts.splice(0);
    expect(await publisher.send(ctx).catch((e) => e)).toMatchObject({ kind: 'auth', code: 'PERMISSION_DENIED' });
    g.user.accounts.push(...managed);

    g.expireAccessTokens();
    expect(await publisher.send(ctx).catch((e) => e)).toMatchObject({ kind: 'auth' });

    loc.chain = true;
    g.accessTtlSec = 3600;
    const again = context('Chain store.');
    again.account = { ...again.account, accessToken: (await freshToken()).access_token };
    await publisher.prepare(again);
    const chain = await publisher.send(again).catch((e) => e);
    expect(chain).toMatchObject({ kind: 'permanent', code: 'LOCATION_DISABLED_FOR_LOCAL_POST_API' });
    expect(chain.message).toMatch(/chain/);
  });

  it('treats a photo Google could not fetch as nothing sent (transient)', async () => {
    const broken = { ...photo(), url: `${media.url}/media/missing.jpg` };
    const ctx = context('Where is the photo?', [broken]);
    await publisher.prepare(ctx);
    const err = await publisher.send(ctx).catch((e) => e);
    expect(err).toMatchObject({ kind: 'transient' });
    expect(err.message).toMatch(/could not fetch the photo/);
    expect(g.posts).toHaveLength(0);
  });

  it('keeps polling through a 5xx while confirming', async () => {
    g.processingReads = 2;
    const ctx = context('Patience.');
    await publisher.prepare(ctx);
    await publisher.send(ctx);
    g.inject({
      method: 'GET',
      path: /\/localPosts\/[^/]+$/,
      fault: {
        kind: 'status',
        status: 500,
        body: { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } },
      },
    });
    const result = await publisher.confirm(ctx);
    expect(result.externalId).toBe(ctx.state.localPostName);
  });
});

async function freshToken(): Promise<{ access_token: string }> {
  const verifier = 'w'.repeat(43);
  const { createHash } = await import('node:crypto');
  const q = new URLSearchParams({
    client_id: APP.clientId,
    redirect_uri: 'https://herald.example.com/auth/google/callback',
    response_type: 'code',
    scope: 'https://www.googleapis.com/auth/business.manage',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const res = await fetch(`${g.settings().authUrl}?${q}`, { redirect: 'manual' });
  const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
  const tok = await fetch(g.settings().tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
      code,
      code_verifier: verifier,
      grant_type: 'authorization_code',
      redirect_uri: 'https://herald.example.com/auth/google/callback',
    }),
  });
  return (await tok.json()) as { access_token: string };
}
