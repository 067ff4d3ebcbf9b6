import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { InsightsPermissionError, type InsightsAccount, type InsightsPost } from '../../src/platforms/insights.js';
import { tiktok, tiktokPlatform } from '../../src/platforms/tiktok/index.js';
import { VIDEO_QUERY_MAX_IDS, type TikTokInsightsReader } from '../../src/platforms/tiktok/insights.js';
import type { PlatformError } from '../../src/platforms/types.js';
import { FakeTikTok } from '../fakes/tiktok.js';
import { tempDir, TEST_SECRET } from '../helpers/herald.js';

const APP = { clientKey: 'tt-insights-key', clientSecret: 'tt-insights-secret' };
const ALL = 'user.info.basic,video.publish,video.upload,user.info.stats,video.list';
const NOW = Date.parse('2026-11-30T15:00:00Z');

let tt: FakeTikTok;
let dataDir: string;
let clock: ManualClock;
let reader: TikTokInsightsReader;

async function tokenFor(scope: string): Promise<string> {
  const back = new URL(
    (
      await fetch(
        `${tt.url}/v2/auth/authorize/?client_key=${APP.clientKey}&scope=${scope}` +
          '&response_type=code&redirect_uri=https://h.example/cb&state=s',
        { redirect: 'manual' },
      )
    ).headers.get('location')!,
  );
  const res = await fetch(`${tt.url}/v2/oauth/token/`, {
    method: 'POST',
    body: new URLSearchParams({
      client_key: APP.clientKey,
      client_secret: APP.clientSecret,
      code: back.searchParams.get('code')!,
      grant_type: 'authorization_code',
      redirect_uri: 'https://h.example/cb',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

function account(token: string, scopes = ALL): InsightsAccount {
  return {
    id: 'acc-1',
    platform: 'tiktok',
    externalId: tt.user.openId,
    name: 'Creator',
    accessToken: token,
    platformData: {},
    scopes,
    timezone: 'Europe/Berlin',
  };
}

/** A public video on the fake, as if Herald had published it at `at`; a 19-digit id beyond 2^53. */
function publishVideo(at: number, n: number): string {
  const postId = `74${String(n).padStart(17, '0')}`;
  tt.published.push({
    openId: tt.user.openId,
    publishId: `v_pub_url~v2-1.${n}`,
    kind: 'video',
    title: `video ${n}`,
    description: null,
    privacy: 'PUBLIC_TO_EVERYONE',
    bytes: 1,
    images: 0,
    postId,
    at,
  });
  return postId;
}

function post(externalId: string, publishedAt: number, n: number): InsightsPost {
  return { postId: `post-${n}`, externalId, permalink: null, publishedAt, surface: 'video', media: ['video'] };
}

const ctx = () => ({ signal: AbortSignal.timeout(10_000), refused: new Set<string>() });

beforeAll(async () => {
  tt = new FakeTikTok(APP);
  await tt.start();
  dataDir = tempDir();
});
afterAll(async () => {
  await tt.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  tt.clearFaults();
  tt.published.length = 0;
  tt.queriedIds.length = 0;
  tt.requests.length = 0;
  tt.videoStats.clear();
  tt.deletedVideos.clear();
  tt.posting.hidePublicIds = false;
  tt.rateLimits.videoQuery = 600;
  clock = new ManualClock(NOW);
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET_KEY: TEST_SECRET,
    TIKTOK_CLIENT_KEY: APP.clientKey,
    TIKTOK_CLIENT_SECRET: APP.clientSecret,
    TIKTOK_API_URL: tt.url,
  });
  reader = tiktokPlatform({ config, log: createLogger('silent'), clock, options: { rateLimitWaitMs: 0 } }).insights[0]!;
});

describe('TikTok insights: videos', () => {
  it('reads views, likes, comments and shares of stored video ids, 20 ids per video/query, ids exact', async () => {
    const token = await tokenFor(ALL);
    const posts = Array.from({ length: 25 }, (_, i) => {
      const id = publishVideo(NOW - (i + 1) * 3600_000, i);
      tt.videoStats.set(id, { view_count: 1000 + i, like_count: 50 + i, comment_count: 5, share_count: 2 });
      return post(id, NOW - (i + 1) * 3600_000, i);
    });
    expect(Number.isSafeInteger(Number(posts[0]!.externalId))).toBe(false);
    const result = await reader.postMetrics(account(token), posts, ctx());
    expect(reader.batchSize).toBe(VIDEO_QUERY_MAX_IDS);
    expect(tt.requests.filter((r) => r.path === '/v2/video/query/')).toHaveLength(2);
    expect(tt.queriedIds).toEqual(posts.map((p) => p.externalId));
    expect(result.readings).toHaveLength(25);
    expect(result.readings[3]).toEqual({
      postId: 'post-3',
      values: { views: 1003, likes: 53, comments: 5, shares: 2 },
      raw: { view_count: 1003, like_count: 53, comment_count: 5, share_count: 2 },
    });
    expect(result.refused).toEqual([]);
  });

  it('turns a publish id into the video id status/fetch sends as a bare int64, without rounding', async () => {
    const token = await tokenFor(ALL);
    const id = publishVideo(NOW - 7200_000, 7);
    tt.videoStats.set(id, { view_count: 5, like_count: 1, comment_count: 0, share_count: 0 });
    tt.posting.publishes.set('v_pub_file~v2-1.777', {
      id: 'v_pub_file~v2-1.777',
      openId: tt.user.openId,
      kind: 'video',
      mode: 'DIRECT_POST',
      source: 'FILE_UPLOAD',
      title: 'video 7',
      description: null,
      privacy: 'PUBLIC_TO_EVERYONE',
      postInfo: {},
      upload: null,
      urls: [],
      bytes: 1,
      mediaComplete: true,
      status: 'PUBLISH_COMPLETE',
      pollsLeft: 0,
      failReason: null,
      postId: id,
      createdAt: NOW - 7200_000,
    });
    const result = await reader.postMetrics(account(token), [post('v_pub_file~v2-1.777', NOW - 7200_000, 7)], ctx());
    const status = tt.requests.filter((r) => r.path === '/v2/post/publish/status/fetch/');
    expect(status).toHaveLength(1);
    expect(tt.queriedIds).toEqual([id]);
    expect(result.readings[0]!.values.views).toBe(5);
  });

  it('finds the video of a publish id TikTok never resolved in video/list, by its creation time', async () => {
    const token = await tokenFor(ALL);
    tt.posting.hidePublicIds = true;
    // Thirty newer videos push the one wanted onto the second page of video/list.
    const at = NOW - 40 * 3600_000;
    const wanted = publishVideo(at + 20_000, 100);
    for (let i = 0; i < 30; i++) publishVideo(NOW - i * 60_000, 200 + i);
    publishVideo(at - 3 * 3600_000, 300);
    tt.videoStats.set(wanted, { view_count: 77, like_count: 7, comment_count: 1, share_count: 0 });
    const result = await reader.postMetrics(account(token), [post('v_pub_url~v2-1.unknown', at, 1)], ctx());
    expect(result.readings).toEqual([
      expect.objectContaining({ postId: 'post-1', values: { views: 77, likes: 7, comments: 1, shares: 0 } }),
    ]);
    expect(tt.requests.filter((r) => r.path === '/v2/video/list/').length).toBe(2);
    // Found once, kept: the next reading goes straight to video/query.
    await reader.postMetrics(account(token), [post('v_pub_url~v2-1.unknown', at, 1)], ctx());
    expect(tt.requests.filter((r) => r.path === '/v2/video/list/').length).toBe(2);
  });

  it('reports nothing (no zeros) for a post with no public video, and "gone" for a deleted one', async () => {
    const token = await tokenFor(ALL);
    const id = publishVideo(NOW - 3600_000, 1);
    tt.deletedVideos.add(id);
    const result = await reader.postMetrics(
      account(token),
      [post(id, NOW - 3600_000, 1), post('v_pub_file~v2-1.private', NOW - 7200_000, 2)],
      ctx(),
    );
    expect(result.readings).toEqual([
      { postId: 'post-1', values: {}, raw: {}, gone: expect.stringContaining('no longer lists') },
    ]);
  });
});

describe('TikTok insights: the account', () => {
  it("stamps the follower count on today's day only", async () => {
    const token = await tokenFor(ALL);
    tt.followers.set(tt.user.openId, 1234);
    const today = await reader.accountMetrics(account(token), ['2026-11-28', '2026-11-29', '2026-11-30'], ctx());
    expect(today.readings).toEqual([
      {
        day: '2026-11-30',
        values: { followers: 1234 },
        raw: expect.objectContaining({ follower_count: 1234, likes_count: 0 }),
      },
    ]);
    const old = await reader.accountMetrics(account(token), ['2026-11-20', '2026-11-21'], ctx());
    expect(old.readings).toEqual([]);
  });

  it('a token without user.info.stats or video.list is a permission error, not a failure to retry', async () => {
    const noStats = await tokenFor('user.info.basic,video.publish,video.list');
    const err = await reader.accountMetrics(account(noStats), ['2026-11-30'], ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsightsPermissionError);
    const noList = await tokenFor('user.info.basic,video.publish,user.info.stats');
    const id = publishVideo(NOW - 3600_000, 1);
    const err2 = await reader
      .postMetrics(account(noList), [post(id, NOW - 3600_000, 1)], ctx())
      .catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(InsightsPermissionError);
  });

  it("TikTok's 429 is a rate limit, and usage reads full until it has passed", async () => {
    const token = await tokenFor(ALL);
    const id = publishVideo(NOW - 3600_000, 1);
    expect(reader.usage!(account(token))).toBe(0);
    await reader.postMetrics(account(token), [post(id, NOW - 3600_000, 1)], ctx());
    expect(reader.usage!(account(token))).toBeCloseTo(1 / 600);
    tt.rateLimits.videoQuery = 1;
    const err = await reader.postMetrics(account(token), [post(id, NOW - 3600_000, 1)], ctx()).catch((e: unknown) => e);
    expect([(err as PlatformError).kind, (err as PlatformError).code]).toEqual(['rate_limited', 'rate_limit_exceeded']);
    expect(reader.usage!(account(token))).toBe(1);
    clock.advance(61_000);
    expect(reader.usage!(account(token))).toBe(0);
  });

  it('a 5xx or a dropped connection is a transient failure, never a reading of zeros', async () => {
    const token = await tokenFor(ALL);
    const id = publishVideo(NOW - 3600_000, 1);
    tt.inject({
      path: /video\/query/,
      fault: {
        kind: 'status',
        status: 500,
        body: { data: {}, error: { code: 'internal_error', message: 'oops', log_id: 'x' } },
      },
    });
    const err = await reader.postMetrics(account(token), [post(id, NOW - 3600_000, 1)], ctx()).catch((e) => e);
    expect((err as PlatformError).kind).toBe('transient');
    tt.inject({ path: /user\/info/, fault: { kind: 'reset' } });
    const err2 = await reader.accountMetrics(account(token), ['2026-11-30'], ctx()).catch((e) => e);
    expect((err2 as PlatformError).kind).toBe('transient');
  });

  it('the platform declares the scopes results need and the connector asks for them', () => {
    expect(tiktok.platforms[0]!.insights!.scopes.map((s) => s.scope)).toEqual(['user.info.stats', 'video.list']);
  });
});
