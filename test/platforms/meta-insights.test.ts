import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import {
  type InsightsAccount,
  InsightsPermissionError,
  type InsightsPost,
  type InsightsReader,
  refusedKey,
} from '../../src/platforms/insights.js';
import { metaPlatform } from '../../src/platforms/meta/index.js';
import { FakeMeta } from '../fakes/meta.js';
import { RETIRED } from '../fakes/meta-insights.js';
import { tempDir, TEST_SECRET } from '../helpers/herald.js';

const APP = { appId: '1234567890', appSecret: 'app-secret' };
const DAY = 86_400_000;

let meta: FakeMeta;
let configDir: string;
let facebook: InsightsReader;
let instagram: InsightsReader;
let page: { pageId: string; pageToken: string; igUserId: string | null };
let fbAccount: InsightsAccount;
let igAccount: InsightsAccount;

const ctx = (refused: string[] = []) => ({ signal: new AbortController().signal, refused: new Set(refused) });
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

beforeEach(async () => {
  meta = new FakeMeta(APP);
  const url = await meta.start();
  configDir = tempDir();
  const config = loadConfig({
    DATA_DIR: configDir,
    SECRET_KEY: TEST_SECRET,
    PUBLIC_URL: 'http://127.0.0.1:9',
    META_APP_ID: APP.appId,
    META_APP_SECRET: APP.appSecret,
    META_GRAPH_URL: `${url}/v25.0`,
    META_DIALOG_URL: `${url}/v25.0/dialog/oauth`,
  });
  const { insights } = metaPlatform({ config, log: createLogger('silent'), options: { requestTimeoutMs: 5_000 } });
  facebook = insights.find((r) => r.platform === 'facebook')!;
  instagram = insights.find((r) => r.platform === 'instagram')!;
  page = meta.addPage({ name: 'Acme Bakery', instagram: { username: 'acme.bakery' } });
  const base = { name: 'Acme Bakery', accessToken: page.pageToken, platformData: {}, scopes: '', timezone: 'UTC' };
  fbAccount = { ...base, id: 'acc-fb', platform: 'facebook', externalId: page.pageId };
  igAccount = { ...base, id: 'acc-ig', platform: 'instagram', externalId: page.igUserId! };
});

afterEach(async () => {
  await meta.stop();
  rmSync(configDir, { recursive: true, force: true });
});

function fbPost(message = 'Fresh bread today'): InsightsPost {
  const { id } = meta.fb.feed(page.pageId, { values: { message }, files: new Map() });
  return { postId: `post-${id}`, externalId: id, permalink: null, publishedAt: Date.now(), surface: 'feed', media: [] };
}

function igMedia(mediaType: 'IMAGE' | 'CAROUSEL' | 'REELS' | 'STORIES', ageMs = 0): InsightsPost {
  const mediaId = `1790${meta.ig.published.length + 1}`.padEnd(17, '0');
  meta.ig.published.push({
    mediaId,
    igUserId: page.igUserId!,
    containerId: 'c',
    mediaType,
    caption: 'hello',
    altText: null,
    media: [{ type: mediaType === 'REELS' ? 'REELS' : 'IMAGE', url: null, bytes: 1 }],
    shortcode: 'abc',
    permalink: 'https://www.instagram.com/p/abc/',
    createdAt: Date.now() - ageMs,
  });
  return {
    postId: `post-${mediaId}`,
    externalId: mediaId,
    permalink: null,
    publishedAt: Date.now() - ageMs,
    surface: mediaType === 'REELS' ? 'reel' : mediaType === 'STORIES' ? 'story' : 'feed',
    media: [mediaType === 'REELS' ? 'video' : 'image'],
  };
}

/** The `metric` lists Herald asked for, in order. */
function metricCalls(): string[] {
  return meta.requests.filter((r) => /\/insights$/.test(r.path)).map((r) => r.query.metric ?? '');
}

describe('Facebook insights reader', () => {
  it('reads views, reach and clicks from post insights, reactions, comments and shares from the post', async () => {
    const post = fbPost();
    meta.insights.setLifetime(post.externalId, {
      post_media_view: 500,
      post_total_media_view_unique: 320,
      post_clicks: 12,
    });
    meta.insights.engagement.set(post.externalId, { reactions: 40, comments: 5, shares: 3 });
    const { readings, refused } = await facebook.postMetrics(fbAccount, [post], ctx());
    expect(refused).toEqual([]);
    expect(readings).toEqual([
      {
        postId: post.postId,
        values: {
          views: 500,
          reach: 320,
          likes: 40,
          comments: 5,
          shares: 3,
          saves: null,
          clicks: 12,
          follows: null,
          watchTimeMs: null,
        },
        raw: {
          reactions: 40,
          comments: 5,
          shares: 3,
          post_media_view: 500,
          post_total_media_view_unique: 320,
          post_clicks: 12,
        },
      },
    ]);
    // One insights call for all three names.
    expect(metricCalls()).toEqual(['post_media_view,post_total_media_view_unique,post_clicks']);
  });

  it('stores null, not zero, for a metric Meta has no data for yet', async () => {
    const post = fbPost();
    meta.insights.setLifetime(post.externalId, { post_media_view: 7 });
    const { readings } = await facebook.postMetrics(fbAccount, [post], ctx());
    expect(readings[0]!.values.views).toBe(7);
    expect(readings[0]!.values.reach).toBeNull();
    expect(readings[0]!.values.clicks).toBeNull();
  });

  it('reports a metric Meta retired once, keeps the others, and never asks for it again', async () => {
    const post = fbPost();
    meta.insights.setLifetime(post.externalId, { post_media_view: 500, post_total_media_view_unique: 320 });
    meta.insights.retire('post_clicks');
    const first = await facebook.postMetrics(fbAccount, [post], ctx());
    expect(first.refused).toEqual([
      { metric: 'post_clicks', surface: 'post', message: '(#100) The value must be a valid insights metric' },
    ]);
    expect(first.readings[0]!.values).toMatchObject({ views: 500, reach: 320, clicks: null });
    const before = metricCalls().length;
    const second = await facebook.postMetrics(fbAccount, [post], ctx([refusedKey('post', 'post_clicks')]));
    expect(second.refused).toEqual([]);
    expect(second.readings[0]!.values).toMatchObject({ views: 500, reach: 320 });
    expect(metricCalls().slice(before)).toEqual(['post_media_view,post_total_media_view_unique']);
  });

  it('refuses nothing when every name fails alone (the request, not the names, is wrong)', async () => {
    const post = fbPost();
    meta.insights.engagement.set(post.externalId, { reactions: 4, comments: 1, shares: 0 });
    for (const m of ['post_media_view', 'post_total_media_view_unique', 'post_clicks']) meta.insights.retire(m);
    const { readings, refused } = await facebook.postMetrics(fbAccount, [post], ctx());
    expect(refused).toEqual([]);
    expect(readings[0]!.values).toMatchObject({
      views: null,
      reach: null,
      clicks: null,
      likes: 4,
      comments: 1,
      shares: 0,
    });
  });

  it('reads a photo stored by its photo id through the feed post it went out in', async () => {
    const feed = fbPost();
    const photoId = '424242';
    meta.fb.photos.set(photoId, {
      id: photoId,
      pageId: page.pageId,
      published: true,
      caption: null,
      media: { kind: 'photo', url: null, contentType: 'image/jpeg', bytes: 1 },
      postId: feed.externalId,
    });
    meta.insights.setLifetime(feed.externalId, { post_media_view: 66 });
    const post = { ...feed, externalId: photoId, media: ['image' as const] };
    const { readings } = await facebook.postMetrics(fbAccount, [post], ctx());
    expect(readings[0]!.values.views).toBe(66);
    expect(readings[0]!.gone).toBeUndefined();
  });

  it('marks a post deleted on Facebook as gone', async () => {
    const post = fbPost();
    meta.deleteObject(post.externalId);
    const { readings } = await facebook.postMetrics(fbAccount, [post], ctx());
    expect(readings).toHaveLength(1);
    expect(readings[0]!.gone).toMatch(/does not exist/);
  });

  it('turns a missing read_insights into InsightsPermissionError', async () => {
    const post = fbPost();
    meta.declinePermissions('read_insights');
    await expect(facebook.postMetrics(fbAccount, [post], ctx())).rejects.toBeInstanceOf(InsightsPermissionError);
    await expect(facebook.accountMetrics(fbAccount, [day(-1)], ctx())).rejects.toBeInstanceOf(InsightsPermissionError);
  });

  it('reads a video stored by its video id through video_insights', async () => {
    // A published Page video whose feed post id was never read: stored by its video id.
    const videoId = '555000111';
    meta.fb.videos.set(videoId, {
      id: videoId,
      pageId: page.pageId,
      description: null,
      media: { kind: 'video', url: null, contentType: 'video/mp4', bytes: 1 },
      postId: null,
    });
    meta.insights.setLifetime(videoId, { total_video_views: 900, total_video_view_total_time: 45_000 });
    const post: InsightsPost = {
      postId: 'p-video',
      externalId: videoId,
      permalink: null,
      publishedAt: Date.now(),
      surface: 'feed',
      media: ['video'],
    };
    const { readings, refused } = await facebook.postMetrics(fbAccount, [post], ctx());
    expect(refused).toEqual([]);
    expect(readings[0]!.values).toMatchObject({ views: 900, watchTimeMs: 45_000 });
    expect(meta.requests.some((r) => r.path.endsWith(`/${videoId}/video_insights`))).toBe(true);
  });

  it('maps each value stamped at Pacific midnight to the day it is about, and reads followers', async () => {
    const days = [day(-3), day(-2), day(-1)];
    for (const [i, d] of days.entries())
      meta.insights.setDay(page.pageId, d, {
        page_media_view: 100 + i,
        page_total_media_view_unique: 50 + i,
        page_post_engagements: 10 + i,
        page_follows: 1000 + i,
      });
    const { readings, refused } = await facebook.accountMetrics(fbAccount, days, ctx());
    expect(refused).toEqual([]);
    expect(readings.map((r) => [r.day, r.values])).toEqual(
      days.map((d, i) => [d, { views: 100 + i, reach: 50 + i, engagements: 10 + i, followers: 1000 + i }]),
    );
    // The wire really is stamped the next morning UTC (07:00 or 08:00).
    const res = meta.requests.find((r) => r.path.endsWith(`/${page.pageId}/insights`))!;
    expect(res.query.period).toBe('day');
    const answer = await fetch(`${meta.url}${res.path}?${new URLSearchParams({ ...res.query }).toString()}`).then(
      (r) => r.json() as Promise<{ data: Array<{ values: Array<{ end_time: string }> }> }>,
    );
    const first = answer.data[0]!.values[0]!.end_time;
    expect(first.slice(0, 10)).toBe(day(-2));
    expect(first).toMatch(/T0[78]:00:00\+0000$/);
  });

  it('reports usage from the usage headers of the latest answers', async () => {
    expect(facebook.usage!(fbAccount)).toBeNull();
    meta.appUsage = { call_count: 20, total_time: 5, total_cputime: 5 };
    meta.bucUsage = { call_count: 62, total_time: 10, total_cputime: 3, estimated_time_to_regain_access: 0 };
    await facebook.postMetrics(fbAccount, [fbPost()], ctx());
    expect(facebook.usage!(fbAccount)).toBeCloseTo(0.62);
  });
});

describe('Instagram insights reader', () => {
  it('asks each kind of media only for the metrics valid for it', async () => {
    const image = igMedia('IMAGE');
    const carousel = igMedia('CAROUSEL');
    const reel = igMedia('REELS');
    const story = igMedia('STORIES');
    meta.insights.setLifetime(image.externalId, { views: 300, reach: 200, likes: 30, saved: 4, follows: 2 });
    meta.insights.setLifetime(carousel.externalId, { views: 50, reach: 40, comments: 3 });
    meta.insights.setLifetime(reel.externalId, {
      views: 5000,
      reach: 3000,
      likes: 400,
      comments: 20,
      shares: 30,
      saved: 50,
      ig_reels_video_view_total_time: 123_000,
    });
    meta.insights.setLifetime(story.externalId, { views: 80, reach: 70, shares: 1, replies: 2 });
    const { readings, refused } = await instagram.postMetrics(igAccount, [image, carousel, reel, story], ctx());
    expect(refused).toEqual([]);
    const byId = Object.fromEntries(readings.map((r) => [r.postId, r]));
    expect(byId[image.postId]!.values).toMatchObject({ views: 300, reach: 200, likes: 30, saves: 4, follows: 2 });
    expect(byId[carousel.postId]!.values).toMatchObject({ views: 50, reach: 40, comments: 3, saves: null });
    expect(byId[reel.postId]!.values).toEqual({
      views: 5000,
      reach: 3000,
      likes: 400,
      comments: 20,
      shares: 30,
      saves: 50,
      clicks: null,
      follows: null,
      watchTimeMs: 123_000,
    });
    expect(byId[reel.postId]!.raw).toMatchObject({ saved: 50, ig_reels_video_view_total_time: 123_000 });
    expect(byId[story.postId]!.values).toMatchObject({ views: 80, reach: 70, shares: 1, likes: 0 });
    // One insights call per media: every name was valid for its type.
    expect(metricCalls()).toHaveLength(4);
    expect(metricCalls()[3]).not.toMatch(/saved|likes/);
  });

  it('skips a name Meta stopped serving for one media type and reports it under that type', async () => {
    const reel = igMedia('REELS');
    meta.insights.setLifetime(reel.externalId, { views: 10, reach: 9 });
    meta.insights.retire('ig_reels_video_view_total_time');
    const { readings, refused } = await instagram.postMetrics(igAccount, [reel], ctx());
    expect(refused).toEqual([
      {
        metric: 'ig_reels_video_view_total_time',
        surface: 'reel',
        message: expect.stringContaining('no longer supported'),
      },
    ]);
    expect(readings[0]!.values).toMatchObject({ views: 10, reach: 9, watchTimeMs: null });
  });

  it('reads a story with fewer than 5 viewers as unknown, not as a permission problem', async () => {
    const story = igMedia('STORIES');
    meta.insights.storyViewers.set(story.externalId, 3);
    const { readings } = await instagram.postMetrics(igAccount, [story], ctx());
    expect(readings[0]!.values).toMatchObject({ views: null, reach: null, shares: null });
  });

  it('marks deleted media as gone and a missing instagram_manage_insights as a permission error', async () => {
    const gone = igMedia('IMAGE');
    meta.deleteObject(gone.externalId);
    const { readings } = await instagram.postMetrics(igAccount, [gone], ctx());
    expect(readings[0]!.gone).toBeTruthy();
    meta.declinePermissions('instagram_manage_insights');
    await expect(instagram.postMetrics(igAccount, [igMedia('IMAGE')], ctx())).rejects.toBeInstanceOf(
      InsightsPermissionError,
    );
    await expect(instagram.accountMetrics(igAccount, [day(-1)], ctx())).rejects.toBeInstanceOf(InsightsPermissionError);
  });

  it('reads daily reach as a series, views and interactions as day totals, followers on the last day', async () => {
    const days = [day(-3), day(-2), day(-1)];
    for (const [i, d] of days.entries())
      meta.insights.setDay(page.igUserId!, d, { reach: 200 + i, views: 900 + i, total_interactions: 30 + i });
    meta.insights.followers.set(page.igUserId!, 4321);
    const { readings, refused } = await instagram.accountMetrics(igAccount, days, ctx());
    expect(refused).toEqual([]);
    expect(readings.map((r) => [r.day, r.values])).toEqual([
      [days[0], { views: 900, reach: 200, engagements: 30 }],
      [days[1], { views: 901, reach: 201, engagements: 31 }],
      [days[2], { views: 902, reach: 202, engagements: 32, followers: 4321 }],
    ]);
  });

  it('never asks for a retired metric name on any surface', async () => {
    const posts = [igMedia('IMAGE'), igMedia('CAROUSEL'), igMedia('REELS'), igMedia('STORIES')];
    await instagram.postMetrics(igAccount, posts, ctx());
    await instagram.accountMetrics(igAccount, [day(-2), day(-1)], ctx());
    await facebook.postMetrics(fbAccount, [fbPost()], ctx());
    await facebook.accountMetrics(fbAccount, [day(-2), day(-1)], ctx());
    const asked = metricCalls().flatMap((m) => m.split(','));
    expect(asked.length).toBeGreaterThan(10);
    expect(asked.filter((m) => RETIRED.has(m))).toEqual([]);
  });
});
