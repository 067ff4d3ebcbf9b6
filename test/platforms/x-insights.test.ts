import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { InsightsPermissionError } from '../../src/platforms/insights.js';
import { PlatformError } from '../../src/platforms/types.js';
import { xPlatform } from '../../src/platforms/x/index.js';
import type { XInsights } from '../../src/platforms/x/insights.js';
import { FakeX, type FakeXUser } from '../fakes/x.js';
import { readerAccount, readerContext, readerPost } from '../helpers/insight-readers.js';

const APP = { clientId: 'x-client', clientSecret: 'x-secret' };
let clock: ManualClock;
let fake: FakeX;
let url: string;
let user: FakeXUser;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  fake = new FakeX({ ...APP, redirectUris: [], now: () => clock.now() });
  url = await fake.start();
  user = fake.addUser({ username: 'acmebakery', name: 'Acme Bakery' });
});
afterEach(() => fake.stop());

function reader(resultsMonthlyReads: number): XInsights | null {
  return xPlatform({
    settings: {
      ...APP,
      authorizeUrl: `${url}/i/oauth2/authorize`,
      apiUrl: url,
      monthlyPostCap: 50,
      resultsMonthlyReads,
    },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000 },
  }).insights;
}

function account(token = fake.issue(user.id).access) {
  return readerAccount('x', { accessToken: token, externalId: user.id });
}

describe('X insights reader', () => {
  it('is off unless a monthly read budget is set, as X bills reads', () => {
    expect(reader(0)).toBeNull();
    expect(reader(1000)?.batchSize).toBe(100);
  });

  it('reads the public metrics of many posts in one call; a deleted post is gone', async () => {
    const a = fake.addTweet(user.id, 'one');
    const b = fake.addTweet(user.id, 'two');
    fake.metrics.set(a, {
      like_count: 9,
      retweet_count: 2,
      quote_count: 1,
      reply_count: 4,
      bookmark_count: 3,
      impression_count: 500,
    });
    const r = reader(1000)!;
    const posts = [readerPost(a, 0), readerPost(b, 0), readerPost('1799999999999999999', 0)];
    const { readings } = await r.postMetrics(account(), posts, readerContext());
    expect(readings[0]).toEqual({
      postId: `post-${a}`,
      values: { views: 500, likes: 9, comments: 4, shares: 3, saves: 3 },
      raw: {
        retweet_count: 2,
        reply_count: 4,
        like_count: 9,
        quote_count: 1,
        bookmark_count: 3,
        impression_count: 500,
      },
    });
    expect(readings[1]!.values.likes).toBe(0);
    expect(readings[2]!.gone).toMatch(/no longer/);
    const calls = fake.server.requests.filter((q) => q.path === '/2/tweets' && q.method === 'GET');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.query).toMatchObject({ ids: `${a},${b},1799999999999999999`, 'tweet.fields': 'public_metrics' });
  });

  it('counts the posts read against the monthly budget and stops before going over it', async () => {
    const ids = Array.from({ length: 3 }, (_, i) => fake.addTweet(user.id, `post ${i}`));
    const r = reader(4)!;
    await r.postMetrics(
      account(),
      ids.map((id) => readerPost(id, 0)),
      readerContext(),
    );
    expect(r.usageLine()).toMatchObject({ used: 3, limit: 4 });
    const err = await r
      .postMetrics(
        account(),
        ids.map((id) => readerPost(id, 0)),
        readerContext(),
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ kind: 'rate_limited', code: 'x:results_reads' });
    expect(fake.server.requests.filter((q) => q.path === '/2/tweets' && q.method === 'GET')).toHaveLength(1);
  });

  it('reads the follower count for the last day', async () => {
    fake.followers.set(user.id, 1234);
    const { readings } = await reader(10)!.accountMetrics(account(), ['2026-11-29', '2026-11-30'], readerContext());
    expect(readings).toEqual([{ day: '2026-11-30', values: { followers: 1234 }, raw: { followers_count: 1234 } }]);
  });

  it('a token without tweet.read is a permission error', async () => {
    const id = fake.addTweet(user.id, 'one');
    const token = fake.issueWith(user.id, ['tweet.write', 'media.write', 'offline.access']);
    await expect(reader(10)!.postMetrics(account(token), [readerPost(id, 0)], readerContext())).rejects.toBeInstanceOf(
      InsightsPermissionError,
    );
  });

  it('a spent 15-minute window is a rate-limit error until its reset', async () => {
    const id = fake.addTweet(user.id, 'one');
    const reset = String(Math.ceil(clock.now() / 1000) + 600);
    fake.server.inject({
      method: 'GET',
      path: /^\/2\/tweets$/,
      fault: {
        kind: 'status',
        status: 429,
        body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
        headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset },
      },
    });
    const err = await reader(10)!
      .postMetrics(account(), [readerPost(id, 0)], readerContext())
      .catch((e) => e);
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 600_000 });
  });
});
