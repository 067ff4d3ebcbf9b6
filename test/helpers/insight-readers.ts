// What a results collection hands a network's insights reader, for the reader tests.
import type { InsightsAccount, InsightsCallContext, InsightsPost } from '../../src/platforms/insights.js';

export function readerAccount(
  platform: string,
  overrides: Partial<InsightsAccount> & Pick<InsightsAccount, 'accessToken' | 'externalId'>,
): InsightsAccount {
  return {
    id: `acc-${platform}`,
    platform,
    name: `${platform} account`,
    platformData: {},
    scopes: '',
    timezone: 'UTC',
    ...overrides,
  };
}

export function readerPost(externalId: string, publishedAt: number, extra: Partial<InsightsPost> = {}): InsightsPost {
  return {
    postId: `post-${externalId}`,
    externalId,
    permalink: null,
    publishedAt,
    surface: 'feed',
    media: [],
    ...extra,
  };
}

export function readerContext(refused: Iterable<string> = []): InsightsCallContext {
  return { signal: AbortSignal.timeout(10_000), refused: new Set(refused) };
}
