import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import type { PlatformError, PublishResult } from '../../src/platforms/types.js';
import { xPlatform } from '../../src/platforms/x/index.js';
import type { XPostCap } from '../../src/platforms/x/post-cap.js';
import type { XPublisher } from '../../src/platforms/x/publisher.js';
import { FakeX, type FakeXUser } from '../fakes/x.js';
import { testAttempt, type TestAttempt } from '../helpers/attempt-context.js';

const APP = { clientId: 'x-client', clientSecret: 'x-secret' };
let clock: ManualClock;
let fake: FakeX;
let publisher: XPublisher;
let cap: XPostCap;
let user: FakeXUser;
let tokens: { access: string; refresh: string };

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  fake = new FakeX({ ...APP, redirectUris: [], now: () => clock.now() });
  const url = await fake.start();
  user = fake.addUser({ username: 'acmebakery', name: 'Acme Bakery' });
  tokens = fake.issue(user.id);
  ({ publisher, cap } = xPlatform({
    settings: { ...APP, authorizeUrl: `${url}/i/oauth2/authorize`, apiUrl: url, monthlyPostCap: 3 },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000, timelineLagMs: 60_000 },
  }));
});
afterEach(() => fake.stop());

function attempt(caption: string, accessToken = tokens.access): TestAttempt {
  return testAttempt({
    caption,
    account: {
      id: 'acc-1',
      platform: 'x',
      externalId: user.id,
      name: 'Acme',
      platformData: { username: 'acmebakery' },
      accessToken,
      refreshToken: tokens.refresh,
      tokenExpiresAt: clock.now() + 7_000_000,
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

const COMMENT = 'Order here: https://bakery.example/order & pick up at 8';

describe('X first comment', () => {
  it('posts one reply to the post and counts it in the monthly cap', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    expect(cap.used()).toBe(1);
    const id = await publisher.firstComment.post(ctx, result, COMMENT);
    expect(fake.repliesTo(result.externalId)).toEqual([
      expect.objectContaining({ id, text: COMMENT, authorId: user.id }),
    ]);
    expect(cap.used()).toBe(2);
    expect(fake.server.calls(/^\/2\/tweets$/, 'POST').at(-1)!.body).toEqual({
      text: COMMENT,
      reply: { in_reply_to_tweet_id: result.externalId },
    });
  });

  it('finds the reply after a lost answer, without posting again, and counts it once', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    fake.loseNextTweetResponse();
    const err = await caught(publisher.firstComment.post(ctx, result, COMMENT));
    expect(err).toMatchObject({ kind: 'unknown_outcome' });
    expect(fake.repliesTo(result.externalId)).toHaveLength(1);
    expect(cap.used()).toBe(1);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toEqual({
      status: 'found',
      commentId: fake.repliesTo(result.externalId)[0]!.id,
    });
    expect(fake.repliesTo(result.externalId)).toHaveLength(1);
    expect(cap.used()).toBe(2);
  });

  it('says absent only after the timeline lag; unknown when X refuses the read', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'absent' });
    fake.server.inject({ method: 'POST', path: /^\/2\/tweets$/, fault: { kind: 'reset' } });
    await caught(publisher.firstComment.post(ctx, result, COMMENT));
    // The same text as a post, not a reply to this one, is not the comment.
    fake.addTweet(user.id, COMMENT);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'unknown' });
    clock.advance(2 * 60_000);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'absent' });
    fake.readsRefused = true;
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'unknown' });
  });

  it('maps refusals: the monthly cap, too long, a revoked token, the 15-minute limit', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    expect(await caught(publisher.firstComment.post(ctx, result, 'x'.repeat(281)))).toMatchObject({
      kind: 'permanent',
    });
    fake.postsLeft = 0;
    expect(await caught(publisher.firstComment.post(ctx, result, COMMENT))).toMatchObject({ kind: 'rate_limited' });
    fake.postsLeft = 100;
    // Past the 15-minute window the account may post again.
    clock.advance(16 * 60_000);
    await publisher.firstComment.post(ctx, result, 'one');
    await publisher.firstComment.post(ctx, result, 'two');
    expect(await caught(publisher.firstComment.post(ctx, result, COMMENT))).toMatchObject({
      kind: 'rate_limited',
      code: 'x:monthly_cap',
    });
    expect(fake.repliesTo(result.externalId)).toHaveLength(2);
    fake.revoke(user.id);
    const other = xPlatform({
      settings: {
        ...APP,
        authorizeUrl: `${fake.server.url}/i/oauth2/authorize`,
        apiUrl: fake.server.url,
        monthlyPostCap: null,
      },
      log: createLogger('silent'),
      clock,
      timing: { requestTimeoutMs: 5_000 },
    }).publisher;
    expect(await caught(other.firstComment.post(ctx, result, COMMENT))).toMatchObject({ kind: 'auth' });
  });

  it('the fake refuses a reply to an unknown post, and a token without tweet.write', async () => {
    const ctx = attempt('Fresh bread today');
    await published(ctx);
    const unknown = await caught(publisher.firstComment.post(ctx, { externalId: '42', permalink: null }, 'x'));
    expect(unknown).toMatchObject({ kind: 'permanent' });
    const readOnly = fake.issueWith(user.id, ['tweet.read', 'users.read']);
    const res = await fetch(`${fake.server.url}/2/tweets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readOnly}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(res.status).toBe(403);
  });
});
