import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { blueskyPlatform } from '../../src/platforms/bluesky/index.js';
import type { BlueskyPublisher } from '../../src/platforms/bluesky/publisher.js';
import type { PlatformError, PublishAccount, PublishResult } from '../../src/platforms/types.js';
import { FakeBluesky, type BlueskyAccount } from '../fakes/bluesky.js';
import { testAttempt, type TestAttempt } from '../helpers/attempt-context.js';

let bs: FakeBluesky;
let alice: BlueskyAccount;
let publisher: BlueskyPublisher;
let account: PublishAccount;

beforeEach(async () => {
  bs = new FakeBluesky();
  await bs.start();
  alice = bs.addAccount({ handle: 'alice.test' });
  bs.addAccount({ handle: 'bob.test', did: 'did:plc:bobbobbobbobbobbobbobbob' });
  const platform = blueskyPlatform({
    log: createLogger('silent'),
    settings: {
      handleResolverUrl: bs.url,
      plcDirectoryUrl: bs.plcUrl,
      insecureHosts: [bs.host],
      requestTimeoutMs: 5_000,
      videoServiceUrl: bs.videoUrl,
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
afterEach(() => bs.stop());

function attempt(caption: string): TestAttempt {
  return testAttempt({ caption, account, now: () => Date.now() });
}

async function published(ctx: TestAttempt): Promise<PublishResult> {
  await publisher.prepare(ctx);
  ctx.sentAt = Date.now();
  await publisher.send(ctx);
  return publisher.confirm(ctx);
}

const caught = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as PlatformError,
  );

const COMMENT = 'Order at https://bakery.example/order with @bob.test #bread';

describe('Bluesky first comment', () => {
  it('writes one reply record to the post with facets, and returns its URI', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    const id = await publisher.firstComment.post(ctx, result, COMMENT);
    const replies = bs.repliesTo(result.externalId);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.uri).toBe(id);
    expect(replies[0]!.via).toBe('putRecord');
    const post = bs.posts(alice.did).find((r) => r.uri === result.externalId)!;
    expect(replies[0]!.value.reply).toEqual({
      root: { uri: result.externalId, cid: post.cid },
      parent: { uri: result.externalId, cid: post.cid },
    });
    const features = (replies[0]!.value.facets as Array<{ features: Array<Record<string, string>> }>).map(
      (f) => f.features[0]!,
    );
    expect(features).toEqual([
      { $type: 'app.bsky.richtext.facet#link', uri: 'https://bakery.example/order' },
      { $type: 'app.bsky.richtext.facet#mention', did: 'did:plc:bobbobbobbobbobbobbobbob' },
      { $type: 'app.bsky.richtext.facet#tag', tag: 'bread' },
    ]);
  });

  it('reads the post’s CID from the PDS when the attempt did not save it', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    const later = attempt('Fresh bread today');
    const id = await publisher.firstComment.post(later, result, 'Later comment');
    expect(bs.repliesTo(result.externalId).map((r) => r.uri)).toEqual([id]);
  });

  it('finds the reply after a lost answer, and a resend writes nothing new', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    const commits = bs.commits;
    bs.loseNextWriteResponse();
    const err = await caught(publisher.firstComment.post(ctx, result, COMMENT));
    expect(err).toMatchObject({ kind: 'unknown_outcome' });
    expect(bs.repliesTo(result.externalId)).toHaveLength(1);
    const uri = bs.repliesTo(result.externalId)[0]!.uri;
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toEqual({ status: 'found', commentId: uri });
    // Without the saved key, the repository is read for a reply with this text.
    const fresh = attempt('Fresh bread today');
    expect(await publisher.firstComment.find(fresh, result, COMMENT)).toEqual({ status: 'found', commentId: uri });
    // The same record under the same key: a no-op.
    expect(await publisher.firstComment.post(ctx, result, COMMENT)).toBe(uri);
    expect(bs.repliesTo(result.externalId)).toHaveLength(1);
    expect(bs.commits).toBe(commits + 1);
  });

  it('says absent when no reply is there, unknown when the PDS cannot be asked', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'absent' });
    // A key saved but the write never arrived: still absent, by that key.
    bs.inject({ method: 'POST', path: /putRecord$/, fault: { kind: 'reset' } });
    await caught(publisher.firstComment.post(ctx, result, COMMENT));
    expect(bs.repliesTo(result.externalId)).toHaveLength(0);
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'absent' });
    bs.inject({
      method: 'GET',
      path: /getRecord$/,
      fault: { kind: 'status', status: 502, body: { error: 'UpstreamFailure', message: 'x' } },
    });
    expect(await publisher.firstComment.find(ctx, result, COMMENT)).toMatchObject({ status: 'unknown' });
  });

  it('maps refusals: too long, rate limit, signed-out session, post gone', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    expect(await caught(publisher.firstComment.post(ctx, result, 'x'.repeat(301)))).toMatchObject({
      kind: 'permanent',
      code: 'text_too_long',
    });
    bs.inject({
      method: 'POST',
      path: /putRecord$/,
      fault: { kind: 'status', status: 429, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' } },
    });
    expect(await caught(publisher.firstComment.post(ctx, result, 'a'))).toMatchObject({ kind: 'rate_limited' });
    bs.inject({
      method: 'POST',
      path: /putRecord$/,
      fault: { kind: 'status', status: 401, body: { error: 'AuthenticationRequired', message: 'Signed out' } },
    });
    expect(await caught(publisher.firstComment.post(ctx, result, 'b'))).toMatchObject({ kind: 'auth' });
    const gone = { externalId: `at://${alice.did}/app.bsky.feed.post/3kaaaaaaaaaaa`, permalink: null };
    expect(await caught(publisher.firstComment.post(attempt('x'), gone, 'c'))).toMatchObject({ kind: 'permanent' });
    expect(bs.repliesTo(result.externalId)).toHaveLength(0);
  });

  it('the fake refuses a reply whose parent is not an existing post with that CID', async () => {
    const ctx = attempt('Fresh bread today');
    const result = await published(ctx);
    const put = (reply: unknown) =>
      fetch(`${bs.pdsUrl}/xrpc/com.atproto.repo.putRecord`, {
        method: 'POST',
        headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          repo: alice.did,
          collection: 'app.bsky.feed.post',
          rkey: '3kbbbbbbbbbbb',
          record: { $type: 'app.bsky.feed.post', text: 'x', createdAt: new Date().toISOString(), reply },
        }),
      });
    const wrong = { uri: result.externalId, cid: 'bafyreiwrong' };
    expect((await put({ root: wrong, parent: wrong })).status).toBe(400);
    expect((await put({ parent: { uri: result.externalId, cid: ctx.state.cid } })).status).toBe(400);
    expect(bs.repliesTo(result.externalId)).toHaveLength(0);
  });
});
