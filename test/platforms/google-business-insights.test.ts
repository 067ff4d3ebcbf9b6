import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import type { GoogleBusinessInsights } from '../../src/platforms/google/insights.js';
import { googlePlatform, google } from '../../src/platforms/google/index.js';
import { InsightsPermissionError, refusedKey } from '../../src/platforms/insights.js';
import { FakeGoogle, type GoogleLocation } from '../fakes/google.js';
import { readerAccount, readerContext, readerPost } from '../helpers/insight-readers.js';

const APP = { clientId: 'google-client', clientSecret: 'google-secret' };
let g: FakeGoogle;
let location: GoogleLocation;
let reader: GoogleBusinessInsights;

beforeEach(async () => {
  g = new FakeGoogle(APP);
  await g.start();
  g.now = () => Date.UTC(2026, 10, 30, 12);
  location = g.addLocation(g.user.accounts[0]!, { title: 'Acme Bakery Mitte' });
  reader = googlePlatform({
    settings: { ...APP, ...g.settings() },
    log: createLogger('silent'),
    options: { requestTimeoutMs: 3_000 },
  }).insights[0];
});
afterEach(() => g.stop());

function account(scopes?: string[]) {
  return readerAccount('google_business', {
    accessToken: g.accessToken(g.user.id, scopes),
    externalId: `accounts/${g.user.accounts[0]}/locations/${location.id}`,
  });
}

describe('Google Business Profile insights reader', () => {
  it('declares business.manage for results', () => {
    expect(google.platforms[0]!.insights!.scopes.map((s) => s.scope)).toEqual([
      'https://www.googleapis.com/auth/business.manage',
    ]);
  });

  it('reports no per-post numbers (unknown, not zeros) and calls nothing for them', async () => {
    const { readings } = await reader.postMetrics(
      account(),
      [readerPost('accounts/1/locations/2/localPosts/3', 0)],
      readerContext(),
    );
    expect(readings).toEqual([{ postId: 'post-accounts/1/locations/2/localPosts/3', values: {}, raw: {} }]);
    expect(g.requests.filter((r) => r.path.startsWith('/performance'))).toHaveLength(0);
  });

  it('reads the location’s days in one call: impressions as views, calls and clicks as engagements', async () => {
    g.locationDaily.set(
      location.id,
      new Map<string, Record<string, number>>([
        [
          '2026-11-28',
          { BUSINESS_IMPRESSIONS_MOBILE_SEARCH: 30, BUSINESS_IMPRESSIONS_DESKTOP_MAPS: 5, CALL_CLICKS: 2 },
        ],
        ['2026-11-29', { WEBSITE_CLICKS: 4 }],
      ]),
    );
    const { readings, refused } = await reader.accountMetrics(account(), ['2026-11-28', '2026-11-29'], readerContext());
    expect(refused).toEqual([]);
    expect(readings[0]).toMatchObject({ day: '2026-11-28', values: { views: 35, engagements: 2 } });
    expect(readings[0]!.raw).toMatchObject({
      BUSINESS_IMPRESSIONS_MOBILE_SEARCH: 30,
      CALL_CLICKS: 2,
      WEBSITE_CLICKS: 0,
    });
    expect(readings[1]).toMatchObject({ day: '2026-11-29', values: { views: 0, engagements: 4 } });
    const calls = g.requests.filter((r) => r.path.startsWith('/performance'));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe(`/performance/v1/locations/${location.id}:fetchMultiDailyMetricsTimeSeries`);
    expect(calls[0]!.queryAll.dailyMetrics).toHaveLength(9);
    expect(calls[0]!.query['dailyRange.start_date.day']).toBe('28');
  });

  it('a DailyMetric Google refuses is reported once and the rest read; a refused one is not asked again', async () => {
    g.retiredMetrics.add('BUSINESS_CONVERSATIONS');
    const first = await reader.accountMetrics(account(), ['2026-11-29'], readerContext());
    expect(first.refused).toEqual([expect.objectContaining({ metric: 'BUSINESS_CONVERSATIONS', surface: 'location' })]);
    expect(first.readings).toHaveLength(1);
    g.requests.length = 0;
    await reader.accountMetrics(
      account(),
      ['2026-11-29'],
      readerContext([refusedKey('location', 'BUSINESS_CONVERSATIONS')]),
    );
    const calls = g.requests.filter((r) => r.path.startsWith('/performance'));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.queryAll.dailyMetrics).not.toContain('BUSINESS_CONVERSATIONS');
  });

  it('a token without business.manage, or a user no longer managing the location, is a permission error', async () => {
    await expect(
      reader.accountMetrics(
        account(['https://www.googleapis.com/auth/youtube.readonly']),
        ['2026-11-29'],
        readerContext(),
      ),
    ).rejects.toBeInstanceOf(InsightsPermissionError);
    g.user.accounts.length = 0;
    await expect(reader.accountMetrics(account(), ['2026-11-29'], readerContext())).rejects.toBeInstanceOf(
      InsightsPermissionError,
    );
  });

  it('an over-quota project is a rate limit, not a permission problem', async () => {
    g.inject({
      path: /fetchMultiDailyMetricsTimeSeries$/,
      fault: {
        kind: 'status',
        status: 429,
        body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded' } },
      },
    });
    await expect(reader.accountMetrics(account(), ['2026-11-29'], readerContext())).rejects.toMatchObject({
      kind: 'rate_limited',
    });
  });
});
