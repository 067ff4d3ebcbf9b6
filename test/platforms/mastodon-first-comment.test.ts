import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { plainOfContent } from '../../src/platforms/mastodon/comments.js';
import { MastodonPublisher } from '../../src/platforms/mastodon/publisher.js';
import { DEFAULT_SETTINGS } from '../../src/platforms/mastodon/settings.js';
import type { PlatformError, PublishResult } from '../../src/platforms/types.js';
import { FakeMastodon, type FakeMastodonUser } from '../fakes/mastodon.js';
import { testAttempt, type TestAttempt } from '../helpers/attempt-context.js';

let clock: ManualClock;
let fake: FakeMastodon;
let origin: string;
let user: FakeMastodonUser;
let token: string;
let publisher: MastodonPublisher;

const ALL = ['read:accounts', 'read:statuses', 'write:statuses', 'write:media'];

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  fake = new FakeMastodon({ now: () => clock.now() });
  origin = await fake.start();
  user = fake.addUser('bakery');
  token = fake.issueToken(user.id, ALL);
  publisher = new MastodonPublisher(
    { ...DEFAULT_SETTINGS, privateHosts: ['127.0.0.1'], requestTimeoutMs: 2_000 },
    clock,
  );
});
afterEach(() => fake.stop());

function attempt(caption: string, options: Record<string, unknown> = {}, accessToken = token): TestAttempt {
  return testAttempt({
    caption,
    options,
    account: {
      id: 'acc-1',
      platform: 'mastodon',
      externalId: `${user.id}@127.0.0.1`,
      name: 'Bakery',
      platformData: { instance: origin, accountId: user.id },
      accessToken,
      refreshToken: null,
      tokenExpiresAt: null,
    },
    now: () => clock.now(),
  });
}

async function published(ctx: TestAttempt): Promise<PublishResult> {
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

const COMMENT = 'Order here: https://bakery.example/order?x=1&y=2 <today>\n\nIt’s "fresh" & warm #bread';

describe('Mastodon first comment', () => {
  it('posts one reply with the post’s visibility and returns its id', async () => {
    const ctx = attempt('Fresh bread', { visibility: 'private', language: 'en' });
    const result = await published(ctx);
    const id = await publisher.firstComment.post(ctx, result, COMMENT);
    const replies = fake.repliesTo(result.externalId);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ id, userId: user.id, text: COMMENT, visibility: 'private', language: 'en' });
    const create = fake.calls(/\/api\/v1\/statuses$/, 'POST').at(-1)!;
    expect(create.body).toMatchObject({ in_reply_to_id: result.externalId });
    expect(typeof create.headers['idempotency-key']).toBe('string');
    expect(create.headers['idempotency-key']).not.toBe(ctx.state.idempotencyKey);
  });

  it('finds the reply after a lost answer, and a resend with its Idempotency-Key makes no second one', async () => {
    const ctx = attempt('Fresh bread');
    const result = await published(ctx);
    fake.loseNextStatusResponse();
    const err = await caught(publisher.firstComment.post(ctx, result, COMMENT));
    expect(err).toMatchObject({ kind: 'unknown_outcome' });
    expect(fake.repliesTo(result.externalId)).toHaveLength(1);
    const made = fake.repliesTo(result.externalId)[0]!;
    const found = await publisher.firstComment.find(ctx, result, COMMENT);
    expect(found).toEqual({ status: 'found', commentId: made.id });
    // Within the instance's hour the same request answers the reply already made.
    expect(await publisher.firstComment.post(ctx, result, COMMENT)).toBe(made.id);
    expect(fake.repliesTo(result.externalId)).toHaveLength(1);
  });

  it('says absent when only other replies are there, unknown when the thread cannot be read', async () => {
    const ctx = attempt('Fresh bread');
    const result = await published(ctx);
    const other = fake.addUser('neighbour');
    const otherCtx = attempt('x', {}, fake.issueToken(other.id, ALL));
    await publisher.firstComment.post(otherCtx, result, COMMENT);
    await publisher.firstComment.post(ctx, result, 'A different reply');
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'absent' });
    // A token without read:statuses proves nothing.
    const blind = attempt('x', {}, fake.issueToken(user.id, ['read:accounts', 'write:statuses']));
    expect(await publisher.firstComment.find(blind, result, COMMENT)).toMatchObject({ status: 'unknown' });
    fake.inject({ method: 'GET', path: /\/context$/, fault: { kind: 'status', status: 502, body: { error: 'x' } } });
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'unknown' });
  });

  it('maps refusals: too long is permanent, a revoked token is auth, a 5xx after sending is unknown', async () => {
    const ctx = attempt('Fresh bread');
    const result = await published(ctx);
    fake.limits.maxCharacters = 20;
    expect(await caught(publisher.firstComment.post(ctx, result, 'x'.repeat(21)))).toMatchObject({
      kind: 'permanent',
    });
    fake.limits.maxCharacters = 500;
    fake.inject({
      method: 'POST',
      path: /\/api\/v1\/statuses$/,
      fault: { kind: 'status', status: 503, body: { error: 'down' } },
    });
    expect(await caught(publisher.firstComment.post(ctx, result, 'y'))).toMatchObject({ kind: 'unknown_outcome' });
    const gone = { externalId: '1', permalink: null };
    expect(await caught(publisher.firstComment.post(ctx, gone, 'z'))).toMatchObject({ kind: 'permanent' });
    fake.revokeAll(user.id);
    expect(await caught(publisher.firstComment.post(ctx, result, 'w'))).toMatchObject({ kind: 'auth' });
    expect(fake.repliesTo(result.externalId)).toHaveLength(0);
  });

  it('reads a status’s HTML content back as the text that was sent', () => {
    expect(plainOfContent('<p>a &amp; b &lt;c&gt; &#39;d&#39; &#x263A;</p><p>e<br />f</p>')).toBe(
      "a & b <c> 'd' ☺\n\ne\nf",
    );
  });
});
