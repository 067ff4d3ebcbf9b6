import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bluesky } from '../../src/platforms/bluesky/index.js';
import type { BlueskyConnector } from '../../src/platforms/bluesky/connector.js';
import { BlueskyInsights } from '../../src/platforms/bluesky/insights.js';
import { blueskyPlatform } from '../../src/platforms/bluesky/index.js';
import type { InsightsAccount } from '../../src/platforms/insights.js';
import { PlatformError } from '../../src/platforms/types.js';
import { createLogger } from '../../src/log.js';
import { FakeBluesky, type BlueskyAccount } from '../fakes/bluesky.js';
import { readerAccount, readerContext, readerPost } from '../helpers/insight-readers.js';

let bs: FakeBluesky;
let alice: BlueskyAccount;
let account: InsightsAccount;
let reader: BlueskyInsights;
let connector: BlueskyConnector;

beforeEach(async () => {
  bs = new FakeBluesky();
  await bs.start();
  alice = bs.addAccount({ handle: 'alice.test' });
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
  connector = platform.connector;
  const a = (await connector.connectWithForm({ handle: 'alice.test', appPassword: 'abcd-efgh-ijkl-mnop' }))
    .accounts[0]!;
  account = readerAccount('bluesky', {
    externalId: a.externalId,
    accessToken: a.accessToken,
    platformData: a.platformData ?? {},
  });
  reader = new BlueskyInsights({ requestTimeoutMs: 5_000 }, Date.now);
});
afterEach(() => bs.stop());

/** A post as if Herald had published it, with what people did to it. */
function post(rkey: string, counts = { likes: 0, reposts: 0, replies: 0, quotes: 0 }): string {
  const repo = bs.records.get(alice.did) ?? new Map();
  bs.records.set(alice.did, repo);
  const uri = `at://${alice.did}/app.bsky.feed.post/${rkey}`;
  repo.set(rkey, {
    uri,
    cid: `bafy${rkey}`,
    value: { text: 'hello', createdAt: '2026-11-30T00:00:00Z' },
    via: 'putRecord',
  });
  bs.engagement.set(uri, counts);
  return uri;
}

describe('Bluesky insights reader', () => {
  it('is built by the network beside its publisher, 25 posts a call', () => {
    expect(bluesky.platforms[0]!.insights).toEqual({ scopes: [] });
    expect(reader.batchSize).toBe(25);
  });

  it('reads likes, reposts + quotes and replies of each post, and a deleted post as gone', async () => {
    const one = post('3kaaaaaaaaaa2', { likes: 5, reposts: 2, replies: 1, quotes: 1 });
    const posts = [readerPost(one, 0), readerPost(`at://${alice.did}/app.bsky.feed.post/3kbbbbbbbbbb2`, 0)];
    const { readings } = await reader.postMetrics(account, posts, readerContext());
    expect(readings[0]).toEqual({
      postId: posts[0]!.postId,
      values: { likes: 5, comments: 1, shares: 3 },
      raw: { likeCount: 5, repostCount: 2, replyCount: 1, quoteCount: 1 },
    });
    expect(readings[1]!.gone).toMatch(/no longer/);
    const call = bs.requests.find((r) => r.path.endsWith('app.bsky.feed.getPosts'))!;
    expect(call.queryAll.uris).toEqual([one, posts[1]!.externalId]);
  });

  it('asks in calls of at most 25 URIs, which the fake enforces', async () => {
    const posts = Array.from({ length: 30 }, (_, i) =>
      readerPost(post(`3kcccccccc${String(i).padStart(2, '0')}`.replace(/\d/g, (d) => 'abcdefghij'[+d]!)), 0),
    );
    const { readings } = await reader.postMetrics(account, posts, readerContext());
    expect(readings).toHaveLength(30);
    expect(readings.every((r) => !r.gone)).toBe(true);
    const calls = bs.requests.filter((r) => r.path.endsWith('app.bsky.feed.getPosts'));
    expect(calls.map((c) => c.queryAll.uris!.length)).toEqual([25, 5]);
  });

  it('reads the follower count for the last day', async () => {
    bs.followers.set(alice.did, 77);
    const { readings } = await reader.accountMetrics(account, ['2026-11-30'], readerContext());
    expect(readings).toEqual([{ day: '2026-11-30', values: { followers: 77 }, raw: { followersCount: 77 } }]);
  });

  it('a revoked app password is an auth error; a 429 a rate-limit error', async () => {
    bs.inject({
      path: /getPosts$/,
      fault: { kind: 'status', status: 429, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' } },
    });
    const limited = await reader
      .postMetrics(account, [readerPost(post('3kdddddddddd2'), 0)], readerContext())
      .catch((e) => e);
    expect(limited).toMatchObject({ kind: 'rate_limited' });
    bs.revokeAppPassword(alice.did, 'abcd-efgh-ijkl-mnop');
    const revoked = await reader.accountMetrics(account, ['2026-11-30'], readerContext()).catch((e) => e);
    expect(revoked).toBeInstanceOf(PlatformError);
    expect(revoked).toMatchObject({ kind: 'auth' });
  });
});
