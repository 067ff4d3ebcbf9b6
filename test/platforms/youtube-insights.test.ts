import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { googlePlatform } from '../../src/platforms/google/index.js';
import type { YouTubeQuota } from '../../src/platforms/google/youtube-quota.js';
import type { YouTubeInsights } from '../../src/platforms/google/youtube-insights.js';
import { InsightsPermissionError } from '../../src/platforms/insights.js';
import { PlatformError } from '../../src/platforms/types.js';
import { type FakeChannel, FakeYouTube, YT_ANALYTICS, YT_READONLY, YT_UPLOAD } from '../fakes/youtube.js';
import { readerAccount, readerContext, readerPost } from '../helpers/insight-readers.js';

const APP = { clientId: 'google-client', clientSecret: 'google-secret' };
const DAY = 86_400_000;
let yt: FakeYouTube;
let channel: FakeChannel;
let clock: ManualClock;
let reader: YouTubeInsights;
let quota: YouTubeQuota;

function build(dailyQuota = 10_000): void {
  const p = googlePlatform({
    settings: { ...APP, youtubeUrl: yt.url, youtubeAnalyticsUrl: yt.url },
    log: createLogger('silent'),
    clock,
    options: { requestTimeoutMs: 3_000, youtubeDailyQuota: dailyQuota },
  });
  reader = p.insights[1];
  quota = p.quota;
}

beforeEach(async () => {
  yt = new FakeYouTube();
  await yt.start();
  channel = yt.addChannel();
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  build();
});
afterEach(() => yt.stop());

function account(scopes = [YT_UPLOAD, YT_READONLY]) {
  const token = `ya29.${scopes.length}-${Math.random()}`;
  yt.grant(token, channel.id, scopes);
  return readerAccount('youtube', { accessToken: token, externalId: channel.id, scopes: scopes.join(' ') });
}

describe('YouTube insights reader', () => {
  it('reads views, likes and comments of up to 50 videos a call, each call counted against the quota', async () => {
    const videos = Array.from({ length: 60 }, () => yt.addVideo(channel.id));
    yt.stats.set(videos[0]!.id, { views: 1200, likes: 40, comments: 7 });
    const posts = videos.map((v) => readerPost(v.id, clock.now() - DAY));
    const { readings } = await reader.postMetrics(account(), posts, readerContext());
    expect(readings[0]).toEqual({
      postId: posts[0]!.postId,
      values: { views: 1200, likes: 40, comments: 7, watchTimeMs: null },
      raw: { viewCount: 1200, likeCount: 40, commentCount: 7 },
    });
    const calls = yt.requests.filter((r) => r.path === '/youtube/v3/videos');
    expect(calls.map((c) => c.query.id!.split(',').length)).toEqual([50, 10]);
    expect(calls[0]!.query.part).toBe('statistics');
    expect(quota.used()).toBe(2);
    expect(reader.usage()).toBeCloseTo(2 / 10_000);
  });

  it('hidden likes stay unknown, a deleted video is gone', async () => {
    const v = yt.addVideo(channel.id);
    yt.stats.set(v.id, { views: 5, comments: 0 });
    const { readings } = await reader.postMetrics(
      account(),
      [readerPost(v.id, clock.now()), readerPost('deletedVid1', clock.now())],
      readerContext(),
    );
    expect(readings[0]!.values).toMatchObject({ views: 5, likes: null, comments: 0 });
    expect(readings[1]!.gone).toMatch(/no longer/);
  });

  it('reads watch time from YouTube Analytics only when yt-analytics.readonly was granted', async () => {
    const v = yt.addVideo(channel.id);
    yt.stats.set(v.id, { views: 10, likes: 1, comments: 0, minutesWatched: 30 });
    const { readings } = await reader.postMetrics(
      account([YT_UPLOAD, YT_READONLY, YT_ANALYTICS]),
      [readerPost(v.id, clock.now() - 2 * DAY)],
      readerContext(),
    );
    expect(readings[0]!.values.watchTimeMs).toBe(30 * 60_000);
    expect(readings[0]!.raw.estimatedMinutesWatched).toBe(30);
    const report = yt.requests.find((r) => r.path === '/v2/reports')!;
    expect(report.query).toMatchObject({ ids: 'channel==MINE', dimensions: 'video', filters: `video==${v.id}` });
    expect(quota.used()).toBe(1);
  });

  it('leaves the other half of the day’s quota to uploads', async () => {
    build(10);
    const v = yt.addVideo(channel.id);
    for (let i = 0; i < 5; i++) await reader.postMetrics(account(), [readerPost(v.id, 0)], readerContext());
    const err = await reader.postMetrics(account(), [readerPost(v.id, 0)], readerContext()).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ kind: 'rate_limited', code: 'results_quota_share' });
    expect(quota.used()).toBe(5);
  });

  it('reads the subscriber count for the last day; a hidden count is unknown', async () => {
    yt.subscribers.set(channel.id, 900);
    const { readings } = await reader.accountMetrics(account(), ['2026-11-29', '2026-11-30'], readerContext());
    expect(readings).toEqual([
      { day: '2026-11-30', values: { followers: 900 }, raw: { subscriberCount: 900, viewCount: 0 } },
    ]);
    yt.hiddenSubscribers.add(channel.id);
    const hidden = await reader.accountMetrics(account(), ['2026-11-30'], readerContext());
    expect(hidden.readings[0]!.values.followers).toBeNull();
  });

  it('a token without youtube.readonly is a permission error', async () => {
    const v = yt.addVideo(channel.id);
    await expect(
      reader.postMetrics(account([YT_UPLOAD]), [readerPost(v.id, 0)], readerContext()),
    ).rejects.toBeInstanceOf(InsightsPermissionError);
  });
});
