import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { InsightsPermissionError } from '../../src/platforms/insights.js';
import { MastodonInsights } from '../../src/platforms/mastodon/insights.js';
import { DEFAULT_SETTINGS } from '../../src/platforms/mastodon/settings.js';
import { PlatformError } from '../../src/platforms/types.js';
import { FakeMastodon, type FakeMastodonUser } from '../fakes/mastodon.js';
import { readerAccount, readerContext, readerPost } from '../helpers/insight-readers.js';

let clock: ManualClock;
let fake: FakeMastodon;
let origin: string;
let user: FakeMastodonUser;
let reader: MastodonInsights;

beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 30, 12));
  fake = new FakeMastodon({ now: () => clock.now() });
  origin = await fake.start();
  user = fake.addUser('bakery');
  reader = new MastodonInsights({ ...DEFAULT_SETTINGS, requestTimeoutMs: 2_000 }, () => clock.now());
});
afterEach(() => fake.stop());

function account(scopes = ['read:accounts', 'read:statuses', 'write:statuses']) {
  return readerAccount('mastodon', {
    accessToken: fake.issueToken(user.id, scopes),
    externalId: `${user.id}@host`,
    platformData: { instance: origin },
  });
}

function status(id: string) {
  fake.statuses.push({
    id,
    userId: user.id,
    text: 'Fresh bread',
    spoilerText: '',
    visibility: 'public',
    language: null,
    mediaIds: [],
    at: clock.now(),
  });
}

describe('Mastodon insights reader', () => {
  it('reads favourites, boosts and replies of a status; views and reach stay unknown', async () => {
    status('111');
    fake.counters.set('111', { favourites: 7, reblogs: 2, replies: 3 });
    const { readings, refused } = await reader.postMetrics(
      account(),
      [readerPost('111', clock.now())],
      readerContext(),
    );
    expect(refused).toEqual([]);
    expect(readings).toEqual([
      {
        postId: 'post-111',
        values: { likes: 7, shares: 2, comments: 3 },
        raw: { favourites_count: 7, reblogs_count: 2, replies_count: 3 },
      },
    ]);
    expect(readings[0]!.values.views).toBeUndefined();
  });

  it('reports a deleted status as gone, and keeps reading the others', async () => {
    status('111');
    status('222');
    fake.counters.set('111', { favourites: 1, reblogs: 0, replies: 0, deleted: true });
    const { readings } = await reader.postMetrics(
      account(),
      [readerPost('111', clock.now()), readerPost('222', clock.now())],
      readerContext(),
    );
    expect(readings[0]!.gone).toMatch(/no longer/);
    expect(readings[1]).toMatchObject({ postId: 'post-222', values: { likes: 0 } });
  });

  it('a token without read:statuses is a permission error, not a retry', async () => {
    status('111');
    await expect(
      reader.postMetrics(account(['read:accounts', 'write:statuses']), [readerPost('111', 0)], readerContext()),
    ).rejects.toBeInstanceOf(InsightsPermissionError);
  });

  it('reads the follower count for the last day asked', async () => {
    fake.followers.set(user.id, 420);
    const { readings } = await reader.accountMetrics(account(), ['2026-11-29', '2026-11-30'], readerContext());
    expect(readings).toEqual([{ day: '2026-11-30', values: { followers: 420 }, raw: { followers_count: 420 } }]);
  });

  it('a rate-limited instance is a rate-limit error with the reset from its headers', async () => {
    status('111');
    fake.inject({
      path: /^\/api\/v1\/statuses\/111$/,
      fault: {
        kind: 'status',
        status: 429,
        body: { error: 'Too many requests' },
        headers: { 'x-ratelimit-reset': new Date(clock.now() + 120_000).toISOString() },
      },
    });
    const err = await reader.postMetrics(account(), [readerPost('111', 0)], readerContext()).catch((e) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ kind: 'rate_limited', retryAfterMs: 120_000 });
  });
});
