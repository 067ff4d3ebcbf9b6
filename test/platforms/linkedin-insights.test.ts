import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/log.js';
import { InsightsPermissionError, type InsightsAccount, type InsightsPost } from '../../src/platforms/insights.js';
import { linkedin, linkedinPlatform, linkedInSettings } from '../../src/platforms/linkedin/index.js';
import { SHARE_STATISTICS_BATCH, type LinkedInInsightsReader } from '../../src/platforms/linkedin/insights.js';
import type { PlatformError, ConnectedAccount } from '../../src/platforms/types.js';
import { FakeLinkedIn, type ShareStatistics } from '../fakes/linkedin.js';

const REDIRECT = 'https://herald.example.com/auth/linkedin/callback';
const SCOPES = [
  'openid',
  'profile',
  'w_member_social',
  'w_organization_social',
  'r_organization_social',
  'rw_organization_admin',
];
const ORG = 'urn:li:organization:2414183';
const PERSON = 'urn:li:person:jAnE-42';
const NOW = Date.UTC(2026, 10, 30, 15);
const DAY = 86_400_000;

let li: FakeLinkedIn;
let clock: ManualClock;
let reader: LinkedInInsightsReader;
let accounts: ConnectedAccount[];

beforeEach(async () => {
  li = new FakeLinkedIn({
    clientId: 'li-id',
    clientSecret: 'li-secret',
    redirectUris: [REDIRECT],
    scopes: SCOPES,
    refreshTokens: false,
  });
  await li.start();
  clock = new ManualClock(NOW);
  li.now = () => clock.now();
  const built = linkedinPlatform({
    settings: linkedInSettings({
      clientId: 'li-id',
      clientSecret: 'li-secret',
      apiVersion: '202511',
      authUrl: `${li.url}/oauth/v2`,
      apiUrl: li.url,
    }),
    log: createLogger('silent'),
    clock,
    options: { requestTimeoutMs: 5_000 },
  });
  reader = built.insights;
  const request = { state: 's', redirectUri: REDIRECT, codeVerifier: 'v' };
  const consent = await fetch(await built.connector.authorizationUrl(request), { redirect: 'manual' });
  accounts = [...(await built.connector.complete(new URL(consent.headers.get('location')!), request)).accounts];
});
afterEach(() => li.stop());

function account(urn: string): InsightsAccount {
  const a = accounts.find((x) => x.externalId === urn)!;
  return {
    id: `acc-${urn}`,
    platform: 'linkedin',
    externalId: a.externalId,
    name: a.name,
    accessToken: a.accessToken,
    platformData: a.platformData ?? {},
    scopes: SCOPES.join(' '),
    timezone: 'UTC',
  };
}

function stats(n: number): ShareStatistics {
  return {
    impressionCount: 100 * n,
    uniqueImpressionsCount: 80 * n,
    clickCount: 5 * n,
    likeCount: 3 * n,
    commentCount: 2 * n,
    shareCount: n,
    engagement: 0.11,
  };
}

function published(author: string, kind: 'share' | 'ugcPost', n: number, ageMs = DAY): InsightsPost {
  const id = `urn:li:${kind}:${7_100_000_000_000_000_000n + BigInt(n)}`;
  li.posts.push({
    id,
    author,
    commentary: `post ${n}`,
    content: null,
    createdAt: NOW - ageMs,
    lastModifiedAt: NOW - ageMs,
    lifecycleState: 'PUBLISHED',
    deleted: false,
  });
  li.shareStats.set(id, stats(n));
  return { postId: `post-${n}`, externalId: id, permalink: null, publishedAt: NOW - ageMs, surface: 'post', media: [] };
}

const ctx = () => ({ signal: AbortSignal.timeout(10_000), refused: new Set<string>() });
const statisticsCalls = () => li.requests.filter((r) => r.path === '/rest/organizationalEntityShareStatistics');

describe('LinkedIn insights: Page posts', () => {
  it('reads share and ugcPost statistics in Rest.li 2.0 batches, normalised, raw names kept', async () => {
    const posts = [
      ...Array.from({ length: 25 }, (_, i) => published(ORG, 'share', i + 1)),
      published(ORG, 'ugcPost', 99),
    ];
    const result = await reader.postMetrics(account(ORG), posts, ctx());
    expect(reader.batchSize).toBe(SHARE_STATISTICS_BATCH);
    // 25 shares in two calls, the ugcPost in its own: the two kinds never share a call.
    expect(
      statisticsCalls().map((r) => [Object.keys(r.query).sort().join(','), r.rawQuery.includes('List(urn%3A')]),
    ).toEqual([
      ['organizationalEntity,q,shares', true],
      ['organizationalEntity,q,shares', true],
      ['organizationalEntity,q,ugcPosts', true],
    ]);
    expect(result.readings).toHaveLength(26);
    expect(result.readings.at(-1)).toEqual({
      postId: 'post-99',
      values: { views: 9900, reach: 7920, clicks: 495, likes: 297, comments: 198, shares: 99 },
      raw: {
        impressionCount: 9900,
        uniqueImpressionsCount: 7920,
        clickCount: 495,
        likeCount: 297,
        commentCount: 198,
        shareCount: 99,
        engagement: 0.11,
      },
    });
  });

  it('personal profile posts: no statistics API, so no reading and no call at all', async () => {
    const p = published(PERSON, 'share', 1);
    const before = li.requests.length;
    const result = await reader.postMetrics(account(PERSON), [p], ctx());
    const days = await reader.accountMetrics(account(PERSON), ['2026-11-30'], ctx());
    expect([result.readings, days.readings]).toEqual([[], []]);
    expect(li.requests.length).toBe(before);
  });

  it('a post older than the 12 months LinkedIn keeps gets no reading (never zeros)', async () => {
    const old = published(ORG, 'share', 1, 400 * DAY);
    const fresh = published(ORG, 'share', 2);
    const result = await reader.postMetrics(account(ORG), [old, fresh], ctx());
    expect(result.readings.map((r) => r.postId)).toEqual(['post-2']);
  });

  it('a member who is no longer an administrator of the Page: a permission error', async () => {
    li.acls = li.acls.map((a) => (a.organization === ORG ? { ...a, role: 'ANALYST' } : a));
    const err = await reader.postMetrics(account(ORG), [published(ORG, 'share', 1)], ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsightsPermissionError);
  });
});

describe('LinkedIn insights: the Page', () => {
  it('daily impressions, reach and engagements per UTC day, followers on today', async () => {
    li.dailyStats.set(
      ORG,
      new Map([
        ['2026-11-29', stats(1)],
        ['2026-11-30', stats(2)],
      ]),
    );
    li.followerCounts.set(ORG, 4321);
    const result = await reader.accountMetrics(account(ORG), ['2026-11-28', '2026-11-29', '2026-11-30'], ctx());
    expect(result.readings.map((r) => [r.day, r.values])).toEqual([
      ['2026-11-28', { views: 0, reach: 0, engagements: 0 }],
      ['2026-11-29', { views: 100, reach: 80, engagements: 11 }],
      ['2026-11-30', { views: 200, reach: 160, engagements: 22, followers: 4321 }],
    ]);
    const range = `(start:${Date.UTC(2026, 10, 28)},end:${Date.UTC(2026, 11, 1)})`;
    expect(statisticsCalls().at(-1)!.rawQuery).toContain(`timeIntervals=(timeRange:${range},timeGranularityType:DAY)`);
    expect(reader.usage()).toBeNull();
  });

  it("LinkedIn's daily quota (429 without Retry-After) is a rate limit, not a permission problem", async () => {
    li.dailyLimits = { member: 0, app: Number.POSITIVE_INFINITY };
    const err = await reader.accountMetrics(account(ORG), ['2026-11-30'], ctx()).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(InsightsPermissionError);
    expect((err as PlatformError).kind).toBe('rate_limited');
  });

  it('declares rw_organization_admin, which the connector asks for', () => {
    expect(linkedin.platforms[0]!.insights!.scopes.map((s) => s.scope)).toEqual(['rw_organization_admin']);
  });
});

describe('the LinkedIn fake is strict', () => {
  it('refuses Rest.li 1.0 array parameters with the 403 LinkedIn sends', async () => {
    const token = account(ORG).accessToken;
    const res = await fetch(
      `${li.url}/rest/organizationalEntityShareStatistics?q=organizationalEntity` +
        `&organizationalEntity=urn%3Ali%3Aorganization%3A2414183&shares[0]=urn%3Ali%3Ashare%3A1`,
      {
        headers: {
          authorization: `Bearer ${token}`,
          'linkedin-version': '202511',
          'x-restli-protocol-version': '2.0.0',
        },
      },
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain('Unpermitted fields present in PARAMETER');
  });
});
