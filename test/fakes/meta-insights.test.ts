import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeMeta } from './meta.js';
import { endOfDay } from './meta-insights.js';

// The insights contract the Meta fake enforces (docs/platforms/meta.md#results).

const APP = { appId: '1234567890', appSecret: 'app-secret' };
const DAY = 86_400_000;

let meta: FakeMeta;
let graphUrl: string;
let page: { pageId: string; pageToken: string; igUserId: string | null };

beforeEach(async () => {
  meta = new FakeMeta(APP);
  graphUrl = `${await meta.start()}/v25.0`;
  page = meta.addPage({ name: 'Acme', instagram: { username: 'acme' } });
});
afterEach(async () => {
  await meta.stop();
});

async function get(path: string, params: Record<string, string>) {
  const res = await fetch(`${graphUrl}${path}?${new URLSearchParams(params)}`);
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
const secs = (ms: number) => String(Math.floor(ms / 1000));

function igMedia(mediaType: 'IMAGE' | 'REELS' | 'STORIES'): string {
  const mediaId = `1790${meta.ig.published.length + 1}`.padEnd(17, '0');
  meta.ig.published.push({
    mediaId,
    igUserId: page.igUserId!,
    containerId: 'c',
    mediaType,
    caption: null,
    altText: null,
    media: [],
    shortcode: 's',
    permalink: 'https://www.instagram.com/p/s/',
    createdAt: Date.now(),
  });
  return mediaId;
}

describe('Meta fake: Page and post insights', () => {
  it('stamps a day’s value at the Pacific midnight closing it, with Graph’s entry id and paging', async () => {
    meta.insights.setDay(page.pageId, day(-3), { page_media_view: 41 });
    meta.insights.setDay(page.pageId, day(-2), { page_media_view: 42 });
    const res = await get(`/${page.pageId}/insights`, {
      metric: 'page_media_view',
      period: 'day',
      since: day(-2),
      until: day(0),
      access_token: page.pageToken,
    });
    expect(res.status).toBe(200);
    const [entry] = res.json.data;
    expect(entry).toMatchObject({
      name: 'page_media_view',
      period: 'day',
      id: `${page.pageId}/insights/page_media_view/day`,
    });
    expect(entry.values).toEqual([
      { value: 42, end_time: new Date(endOfDay(day(-2))).toISOString().replace('.000Z', '+0000') },
    ]);
    expect(entry.values[0].end_time).toMatch(new RegExp(`^${day(-1)}T0[78]:00:00\\+0000$`));
    expect(res.json.paging.next).toContain('since=');
    // Usage headers count the call against the Page.
    expect(JSON.parse(res.headers.get('x-business-use-case-usage')!)).toHaveProperty(page.pageId);
    expect(res.headers.get('x-app-usage')).toBeTruthy();
  });

  it('fails the whole call for one retired name, and answers #3001 without a metric', async () => {
    const one = await get(`/${page.pageId}/insights`, {
      metric: 'page_media_view,page_impressions',
      period: 'day',
      access_token: page.pageToken,
    });
    expect(one.status).toBe(400);
    expect(one.json.error).toMatchObject({ code: 100, message: '(#100) The value must be a valid insights metric' });
    expect(one.json.data).toBeUndefined();
    const none = await get(`/${page.pageId}/insights`, { period: 'day', access_token: page.pageToken });
    expect(none.json.error).toMatchObject({ code: 3001, error_subcode: 1504028 });
  });

  it('checks periods: one entry per allowed period when absent, a period a metric lacks, 90 days', async () => {
    const all = await get(`/${page.pageId}/insights`, { metric: 'page_media_view', access_token: page.pageToken });
    expect(all.json.data.map((e: { period: string }) => e.period)).toEqual(['day', 'week', 'days_28']);
    const week = await get(`/${page.pageId}/insights`, {
      metric: 'page_follows',
      period: 'week',
      access_token: page.pageToken,
    });
    expect(week.json.error.code).toBe(100);
    const long = await get(`/${page.pageId}/insights`, {
      metric: 'page_media_view',
      period: 'day',
      since: secs(Date.now() - 100 * DAY),
      until: secs(Date.now()),
      access_token: page.pageToken,
    });
    expect(long.status).toBe(400);
  });

  it('needs a Page token with read_insights, and has no insights edge on a video', async () => {
    const user = meta.auth.issue({ type: 'USER', grant: null, longLived: true, ttlSec: 3600 }).value;
    const asUser = await get(`/${page.pageId}/insights`, {
      metric: 'page_media_view',
      period: 'day',
      access_token: user,
    });
    expect(asUser.json.error.code).toBe(190);
    meta.declinePermissions('read_insights');
    const denied = await get(`/${page.pageId}/insights`, {
      metric: 'page_media_view',
      period: 'day',
      access_token: page.pageToken,
    });
    expect(denied.json.error.code).toBe(10);
    meta.fb.videos.set('777', {
      id: '777',
      pageId: page.pageId,
      description: null,
      media: { kind: 'video', url: null, contentType: 'video/mp4', bytes: 1 },
      postId: null,
    });
    const video = await get('/777/insights', { metric: 'total_video_views', access_token: page.pageToken });
    expect(video.json.error.message).toMatch(/nonexisting field \(insights\)/);
  });

  it('answers lifetime post values, objects as objects, nothing (not zero) without data', async () => {
    const { id } = meta.fb.feed(page.pageId, { values: { message: 'hi' }, files: new Map() });
    meta.insights.setLifetime(id, { post_media_view: 10, post_reactions_by_type_total: { like: 3, love: 1 } });
    const res = await get(`/${id}/insights`, {
      metric: 'post_media_view,post_reactions_by_type_total,post_clicks',
      access_token: page.pageToken,
    });
    expect(res.json.data.map((e: { name: string; values: unknown }) => [e.name, e.values])).toEqual([
      ['post_media_view', [{ value: 10 }]],
      ['post_reactions_by_type_total', [{ value: { like: 3, love: 1 } }]],
    ]);
  });
});

describe('Meta fake: Instagram insights', () => {
  it('allows each metric only on the media product types Meta serves it for', async () => {
    const story = igMedia('STORIES');
    const wrong = await get(`/${story}/insights`, { metric: 'views,saved', access_token: page.pageToken });
    expect(wrong.json.error.message).toBe(
      '(#100) The Media Insights API does not support the saved metric for this media product type.',
    );
    const image = igMedia('IMAGE');
    const saves = await get(`/${image}/insights`, { metric: 'saves', access_token: page.pageToken });
    expect(saves.json.error.message).toMatch(/must be one of the following values/);
    const retired = await get(`/${image}/insights`, { metric: 'impressions', access_token: page.pageToken });
    expect(retired.json.error.message).toMatch(/no longer supported/);
    const period = await get(`/${image}/insights`, { metric: 'views', period: 'day', access_token: page.pageToken });
    expect(period.json.error.code).toBe(100);
  });

  it('enforces account rules: period, total_value, 30 days, follower_count at 100 followers', async () => {
    const ig = page.igUserId!;
    const base = { access_token: page.pageToken };
    expect((await get(`/${ig}/insights`, { ...base, metric: 'reach' })).json.error.message).toMatch(/period/);
    const noTotal = await get(`/${ig}/insights`, { ...base, metric: 'views', period: 'day' });
    expect(noTotal.json.error.message).toMatch(/should be specified with parameter metric_type=total_value/);
    const saved = await get(`/${ig}/insights`, { ...base, metric: 'saved', period: 'day', metric_type: 'total_value' });
    expect(saved.json.error.code).toBe(100);
    const long = await get(`/${ig}/insights`, {
      ...base,
      metric: 'reach',
      period: 'day',
      since: secs(Date.now() - 40 * DAY),
      until: secs(Date.now()),
    });
    expect(long.status).toBe(400);
    meta.insights.followers.set(ig, 50);
    const few = await get(`/${ig}/insights`, { ...base, metric: 'follower_count', period: 'day' });
    expect(few.json.error.code).toBe(100);
    meta.insights.setDay(ig, day(-1), { views: 77 });
    const total = await get(`/${ig}/insights`, {
      ...base,
      metric: 'views',
      period: 'day',
      metric_type: 'total_value',
      since: secs(endOfDay(day(-2))),
      until: secs(endOfDay(day(-1))),
    });
    expect(total.json.data).toEqual([
      expect.objectContaining({ name: 'views', total_value: { value: 77 }, id: `${ig}/insights/views/day` }),
    ]);
  });

  it('needs instagram_manage_insights, and refuses a story with fewer than 5 viewers with #10', async () => {
    const story = igMedia('STORIES');
    meta.insights.storyViewers.set(story, 2);
    const few = await get(`/${story}/insights`, { metric: 'views', access_token: page.pageToken });
    expect(few.json.error).toMatchObject({
      code: 10,
      message: '(#10) Not enough viewers for the media to show insights',
    });
    meta.declinePermissions('instagram_manage_insights');
    const denied = await get(`/${page.igUserId}/insights`, {
      metric: 'reach',
      period: 'day',
      access_token: page.pageToken,
    });
    expect(denied.json.error.code).toBe(10);
  });
});
