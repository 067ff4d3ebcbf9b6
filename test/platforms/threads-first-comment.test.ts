import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { threadsPlatform, type ThreadsPublisher } from '../../src/platforms/threads/index.js';
import type { PlatformError, PublishResult } from '../../src/platforms/types.js';
import { FakeThreads, type FakeThreadsUser } from '../fakes/threads.js';
import { testAttempt, type TestAttempt } from '../helpers/attempt-context.js';

const APP = { appId: '990011223344', appSecret: 'th-secret' };
const ALL = [
  'threads_basic',
  'threads_content_publish',
  'threads_manage_insights',
  'threads_manage_replies',
  'threads_read_replies',
];

let clock: ManualClock;
let th: FakeThreads;
let publisher: ThreadsPublisher;
let user: FakeThreadsUser;
let token: string;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  th = new FakeThreads({ ...APP, redirectUris: [], now: () => clock.now() });
  const url = await th.start();
  user = th.addUser({ username: 'acme.bakery' });
  token = th.issueToken(user.id, { scopes: ALL });
  publisher = threadsPlatform({
    settings: { ...APP, authorizeUrl: `${url}/oauth/authorize`, graphUrl: url, apiVersion: 'v1.0' },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000, pollIntervalMs: 10_000, pollTimeoutMs: 5 * 60_000, publishSettleMs: 120_000 },
  }).publisher;
});
afterEach(() => th.stop());

function attempt(caption: string, accessToken = token): TestAttempt {
  return testAttempt({
    caption,
    account: {
      id: 'acc-1',
      platform: 'threads',
      externalId: user.id,
      name: 'Acme Bakery',
      platformData: {},
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

const COMMENT = 'Order here: https://bakery.example/order';

describe('Threads first comment', () => {
  it('publishes one reply to the post through a reply container and returns its id', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    const id = await publisher.firstComment.post(ctx, result, COMMENT);
    expect(th.replies).toEqual([expect.objectContaining({ id, repliedTo: result.externalId, text: COMMENT })]);
    // A reply is not a post: the profile's posts and the post quota are untouched.
    expect(th.publishedFor(user.id)).toHaveLength(1);
    const create = th.calls(/\/threads$/, 'POST').at(-1)!;
    expect(create.body).toMatchObject({ media_type: 'TEXT', reply_to_id: result.externalId, text: COMMENT });
    // The published reply's id, not its container's.
    expect(id).not.toBe((ctx.state.threadsComment as { containerId: string }).containerId);
  });

  it('finds the reply after a lost publish answer, without publishing again', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    th.loseNextPublishResponse();
    const err = await caught(publisher.firstComment.post(ctx, result, COMMENT));
    expect(err).toMatchObject({ kind: 'unknown_outcome' });
    expect(th.replies).toHaveLength(1);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toEqual({
      status: 'found',
      commentId: th.replies[0]!.id,
    });
    // A resend is refused while the container reads published: the reply is looked up instead.
    expect(await caught(publisher.firstComment.post(ctx, result, COMMENT))).toMatchObject({ kind: 'unknown_outcome' });
    expect(th.replies).toHaveLength(1);
  });

  it('says absent only with proof: no container, or a finished one past the settle time', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'absent' });
    // The publish call never reached Threads: the container stays FINISHED.
    th.inject({ method: 'POST', path: /\/threads_publish$/, fault: { kind: 'reset' } });
    await caught(publisher.firstComment.post(ctx, result, COMMENT));
    expect(th.replies).toHaveLength(0);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'unknown' });
    clock.advance(3 * 60_000);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'absent' });
    // Without threads_read_replies the replies cannot be read: unknown, never absent.
    const blind = attempt('x', th.issueToken(user.id, { scopes: ALL.filter((s) => s !== 'threads_read_replies') }));
    blind.state = { ...ctx.state };
    expect(await publisher.firstComment.find(blind, result, COMMENT)).toMatchObject({ status: 'unknown' });
    // The resend publishes the finished container: one reply.
    await publisher.firstComment.post(ctx, result, COMMENT);
    expect(th.replies).toHaveLength(1);
  });

  it('maps refusals: no reply permission, the reply quota, too long, an expired token', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    const noReplies = attempt('x', th.issueToken(user.id, { scopes: ALL.slice(0, 3) }));
    expect(await caught(publisher.firstComment.post(noReplies, result, COMMENT))).toMatchObject({
      kind: 'permanent',
    });
    th.replyQuotaTotal = 0;
    expect(await caught(publisher.firstComment.post(ctx, result, COMMENT))).toMatchObject({
      kind: 'rate_limited',
      code: 'threads:reply_quota',
    });
    th.replyQuotaTotal = 1000;
    expect(await caught(publisher.firstComment.post(ctx, result, 'x'.repeat(501)))).toMatchObject({
      kind: 'permanent',
    });
    clock.advance(61 * 24 * 3_600_000);
    expect(await caught(publisher.firstComment.post(ctx, result, COMMENT))).toMatchObject({ kind: 'auth' });
    expect(th.replies).toHaveLength(0);
  });

  it('the fake refuses a reply to a thread that does not exist, and keeps replies out of the posts list', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    const err = await caught(
      publisher.firstComment.post(ctx, { externalId: '18028000000000001', permalink: null }, 'x'),
    );
    expect(err).toMatchObject({ kind: 'permanent' });
    await publisher.firstComment.post(ctx, result, COMMENT);
    const list = await fetch(`${th.url}/v1.0/${user.id}/threads?fields=id,text&access_token=${token}`);
    expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(1);
  });
});
