import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import {
  InsightsPermissionError,
  refusedKey,
  type InsightsAccount,
  type InsightsPost,
} from '../../src/platforms/insights.js';
import { threads, threadsPlatform } from '../../src/platforms/threads/index.js';
import type { ThreadsInsightsReader } from '../../src/platforms/threads/insights.js';
import { FakeThreads, type FakeThreadsUser } from '../fakes/threads.js';

const APP = { appId: '990011223345', appSecret: 'th-secret' };
const NOW = Date.parse('2026-11-30T15:00:00Z');

let clock: ManualClock;
let th: FakeThreads;
let user: FakeThreadsUser;
let reader: ThreadsInsightsReader;

beforeEach(async () => {
  clock = new ManualClock(NOW);
  th = new FakeThreads({ ...APP, redirectUris: [], now: () => clock.now() });
  const url = await th.start();
  user = th.addUser({ username: 'acme.bakery' });
  reader = threadsPlatform({
    settings: { ...APP, authorizeUrl: `${url}/oauth/authorize`, graphUrl: url, apiVersion: 'v1.0' },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000 },
  }).insights;
});
afterEach(() => th.stop());

function account(token: string): InsightsAccount {
  return {
    id: 'acc-th',
    platform: 'threads',
    externalId: user.id,
    name: 'acme.bakery',
    accessToken: token,
    platformData: {},
    scopes: 'threads_basic,threads_content_publish,threads_manage_insights',
    timezone: 'UTC',
  };
}

function published(id: string): InsightsPost {
  th.published.push({
    id,
    userId: user.id,
    containerId: `c${id}`,
    mediaType: 'TEXT_POST',
    text: 'hello',
    at: NOW - 3600_000,
    permalink: `https://www.threads.com/@acme.bakery/post/${id}`,
    children: [],
  });
  return {
    postId: `post-${id}`,
    externalId: id,
    permalink: null,
    publishedAt: NOW - 3600_000,
    surface: 'post',
    media: [],
  };
}

const ctx = (refused: string[] = []) => ({ signal: AbortSignal.timeout(10_000), refused: new Set(refused) });

describe('Threads insights: posts', () => {
  it('reads views, likes, replies, reposts, quotes and shares under normalised names, raw names kept', async () => {
    const token = th.issueToken(user.id);
    const p = published('18000000000000001');
    th.mediaCounters.set(p.externalId, { views: 900, likes: 40, replies: 6, reposts: 3, quotes: 2, shares: 1 });
    const result = await reader.postMetrics(account(token), [p], ctx());
    expect(reader.batchSize).toBe(1);
    expect(result).toEqual({
      readings: [
        {
          postId: p.postId,
          values: { views: 900, likes: 40, comments: 6, shares: 6 },
          raw: { views: 900, likes: 40, replies: 6, reposts: 3, quotes: 2, shares: 1 },
        },
      ],
      refused: [],
    });
  });

  it('a retired metric is found alone, reported once, and the rest still read; it is not asked again', async () => {
    const token = th.issueToken(user.id);
    const p = published('18000000000000002');
    th.mediaCounters.set(p.externalId, { views: 10, likes: 4, replies: 1, reposts: 0, quotes: 0, shares: 0 });
    th.retiredMetrics.add('shares');
    const first = await reader.postMetrics(account(token), [p], ctx());
    expect(first.refused).toEqual([{ metric: 'shares', surface: 'post', message: expect.stringContaining('metric') }]);
    expect(first.readings[0]!.values).toEqual({ views: 10, likes: 4, comments: 1, shares: 0 });
    const calls = th.requests.length;
    const again = await reader.postMetrics(account(token), [p], ctx([refusedKey('post', 'shares')]));
    expect(again.refused).toEqual([]);
    expect(th.requests.length - calls).toBe(1);
    expect(th.requests.at(-1)!.query.metric).toBe('views,likes,replies,reposts,quotes');
  });

  it('a repost of someone else reports nothing (no zeros); a deleted post is gone', async () => {
    const token = th.issueToken(user.id);
    const repost = published('18000000000000003');
    th.repostFacades.add(repost.externalId);
    const deleted = published('18000000000000004');
    th.deletedMedia.add(deleted.externalId);
    const result = await reader.postMetrics(account(token), [repost, deleted], ctx());
    expect(result.readings).toEqual([
      { postId: repost.postId, values: {}, raw: {} },
      { postId: deleted.postId, values: {}, raw: {}, gone: expect.any(String) },
    ]);
  });

  it('without threads_manage_insights: a permission error', async () => {
    const token = th.issueToken(user.id, { scopes: ['threads_basic', 'threads_content_publish'] });
    const p = published('18000000000000005');
    const err = await reader.postMetrics(account(token), [p], ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsightsPermissionError);
    const err2 = await reader.accountMetrics(account(token), ['2026-11-30'], ctx()).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(InsightsPermissionError);
  });
});

describe('Threads insights: the profile', () => {
  it('profile views per day on the right day, followers only on today', async () => {
    const token = th.issueToken(user.id);
    th.profileViews.set(
      user.id,
      new Map([
        ['2026-11-28', 11],
        ['2026-11-29', 22],
        ['2026-11-30', 33],
      ]),
    );
    th.followers.set(user.id, 512);
    const result = await reader.accountMetrics(account(token), ['2026-11-28', '2026-11-29', '2026-11-30'], ctx());
    expect(result.readings).toEqual([
      { day: '2026-11-28', values: { views: 11 }, raw: { views: 11 } },
      { day: '2026-11-29', values: { views: 22 }, raw: { views: 22 } },
      { day: '2026-11-30', values: { views: 33, followers: 512 }, raw: { views: 33, followers_count: 512 } },
    ]);
    const q = th.requests.at(-1)!.query;
    expect([q.metric, q.since, q.until]).toEqual([
      'views,followers_count',
      String(Date.parse('2026-11-28T00:00:00Z') / 1000),
      String(Date.parse('2026-12-01T00:00:00Z') / 1000),
    ]);
  });

  it('never asks for days before April 13, 2024', async () => {
    const token = th.issueToken(user.id);
    const result = await reader.accountMetrics(account(token), ['2024-04-10', '2024-04-13'], ctx());
    expect(Number(th.requests.at(-1)!.query.since)).toBeGreaterThanOrEqual(1_712_991_600);
    expect(result.readings.map((r) => r.day)).toEqual(['2024-04-13']);
  });

  it('declares threads_manage_insights, which the connector asks for', () => {
    expect(threads.platforms[0]!.insights!.scopes.map((s) => s.scope)).toEqual(['threads_manage_insights']);
  });
});
