import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { InsightsPermissionError, refusedKey } from '../../src/platforms/insights.js';
import { pinterestPlatform } from '../../src/platforms/pinterest/index.js';
import type { PinterestInsights } from '../../src/platforms/pinterest/insights.js';
import { FakePinterest, type FakePinterestUser } from '../fakes/pinterest.js';
import { readerAccount, readerContext, readerPost } from '../helpers/insight-readers.js';

const APP = { appId: 'pin-app', appSecret: 'pin-secret' };
const DAY = 86_400_000;
let clock: ManualClock;
let fake: FakePinterest;
let user: FakePinterestUser;
let reader: PinterestInsights;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  fake = new FakePinterest({ ...APP, redirectUris: [], now: () => clock.now() });
  const url = await fake.start();
  user = fake.addUser({ username: 'acmebakery' });
  reader = pinterestPlatform({
    settings: { ...APP, authorizeUrl: `${url}/oauth/`, apiUrl: `${url}/v5` },
    log: createLogger('silent'),
    clock,
    timing: { requestTimeoutMs: 5_000 },
  }).insights;
});
afterEach(() => fake.stop());

function account(scopes?: string[]) {
  return readerAccount('pinterest', {
    accessToken: scopes ? fake.issueToken(user.id, scopes) : fake.issueToken(user.id),
    externalId: user.id,
  });
}

function pinPublished(daysAgo: number): string {
  const board = fake.addBoard(user.id, `Board ${daysAgo}`);
  const id = `99${daysAgo}`;
  fake.pins.push({
    id,
    ownerId: user.id,
    boardId: board.id,
    title: null,
    description: 'Sourdough',
    link: null,
    altText: null,
    mediaSource: {},
    createdAt: clock.now() - daysAgo * DAY,
  });
  return id;
}

const day = (daysAgo: number) => new Date(Date.UTC(2026, 10, 30) - daysAgo * DAY).toISOString().slice(0, 10);

describe('Pinterest insights reader', () => {
  it('sums a pin’s impressions, saves and clicks from its publishing day to today', async () => {
    const id = pinPublished(3);
    fake.pinDaily.set(
      id,
      new Map([
        [day(2), { IMPRESSION: 100, SAVE: 4, PIN_CLICK: 6, OUTBOUND_CLICK: 2 }],
        [day(1), { IMPRESSION: 50, SAVE: 1, PIN_CLICK: 3, OUTBOUND_CLICK: 1 }],
      ]),
    );
    const { readings, refused } = await reader.postMetrics(
      account(),
      [readerPost(id, clock.now() - 3 * DAY)],
      readerContext(),
    );
    expect(refused).toEqual([]);
    expect(readings[0]).toEqual({
      postId: `post-${id}`,
      values: { views: 150, saves: 5, clicks: 12 },
      raw: { IMPRESSION: 150, SAVE: 5, PIN_CLICK: 9, OUTBOUND_CLICK: 3 },
    });
    const call = fake.requests.find((r) => r.path.endsWith('/analytics'))!;
    expect(call.query).toMatchObject({ start_date: day(3), end_date: day(0), app_types: 'ALL' });
  });

  it('keeps start_date within the 90 days Pinterest allows for an old pin', async () => {
    const id = pinPublished(200);
    const { readings } = await reader.postMetrics(
      account(),
      [readerPost(id, clock.now() - 200 * DAY)],
      readerContext(),
    );
    expect(readings[0]!.gone).toBeUndefined();
    expect(fake.requests.find((r) => r.path.endsWith('/analytics'))!.query.start_date).toBe(day(89));
  });

  it('a retired metric is refused once and the rest still read; a refused one is never asked again', async () => {
    const id = pinPublished(2);
    fake.retiredMetrics.add('OUTBOUND_CLICK');
    const first = await reader.postMetrics(account(), [readerPost(id, clock.now() - 2 * DAY)], readerContext());
    expect(first.refused).toEqual([
      expect.objectContaining({
        metric: 'OUTBOUND_CLICK',
        surface: 'pin',
        message: expect.stringMatching(/OUTBOUND_CLICK/),
      }),
    ]);
    expect(first.readings[0]!.raw).toEqual({ IMPRESSION: 0, SAVE: 0, PIN_CLICK: 0 });
    fake.requests.length = 0;
    const again = await reader.postMetrics(
      account(),
      [readerPost(id, clock.now() - 2 * DAY)],
      readerContext([refusedKey('pin', 'OUTBOUND_CLICK')]),
    );
    expect(again.refused).toEqual([]);
    const calls = fake.requests.filter((r) => r.path.endsWith('/analytics'));
    expect(calls.map((c) => c.query.metric_types)).toEqual(['IMPRESSION,SAVE,PIN_CLICK']);
  });

  it('a deleted pin is gone', async () => {
    const { readings } = await reader.postMetrics(account(), [readerPost('12345', clock.now() - DAY)], readerContext());
    expect(readings[0]!.gone).toMatch(/no longer/);
  });

  it('a token without pins:read is a permission error', async () => {
    const id = pinPublished(1);
    await expect(
      reader.postMetrics(
        account(['user_accounts:read', 'boards:read']),
        [readerPost(id, clock.now())],
        readerContext(),
      ),
    ).rejects.toBeInstanceOf(InsightsPermissionError);
  });

  it('reads settled account days and the followers on the last day; days still processing stay unknown', async () => {
    fake.followers.set(user.id, 321);
    fake.accountDaily.set(user.id, new Map([[day(1), { IMPRESSION: 900, ENGAGEMENT: 40 }]]));
    const { readings } = await reader.accountMetrics(account(), [day(2), day(1), day(0)], readerContext());
    expect(readings).toEqual([
      { day: day(2), values: { views: 0, engagements: 0 }, raw: { IMPRESSION: 0, ENGAGEMENT: 0 } },
      { day: day(1), values: { views: 900, engagements: 40 }, raw: { IMPRESSION: 900, ENGAGEMENT: 40 } },
      { day: day(0), values: { views: null, engagements: null, followers: 321 }, raw: { follower_count: 321 } },
    ]);
  });
});
