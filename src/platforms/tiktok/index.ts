// TikTok for the composition root: one API client (and one per-token rate budget) shared by the
// connector and the publisher.
import type { Config } from '../../config.js';
import { TIKTOK_PRIVACY_LEVELS } from '../../domain/client.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import type { NetworkDescriptor } from '../network.js';
import type { Publisher } from '../types.js';
import { tiktokConfig, type TikTokConfig } from './config.js';
import { checkTikTokPost, TIKTOK_LIMITS } from './limits.js';
import { TikTokApi } from './api.js';
import { TikTokConnector } from './connector.js';
import { TikTokInsightsReader } from './insights.js';
import { TikTokPublisher, type TikTokPublisherOptions } from './publisher.js';
import { RateBudget } from './rate-budget.js';

export { TikTokApi, parseJsonExact } from './api.js';
export { TikTokConnector } from './connector.js';
export { RateBudget } from './rate-budget.js';
export { chunkPlan, chunkRange, MIN_CHUNK_BYTES } from './upload.js';
export { underVerifiedPrefix, photoTitle } from './plan.js';

export interface TikTokPlatformOptions extends Partial<TikTokPublisherOptions> {
  /** Per HTTP request to TikTok (uploads get at least two minutes per chunk). */
  readonly requestTimeoutMs?: number;
  /** How long a call may wait for a free slot in the per-token budget before giving up. */
  readonly rateLimitWaitMs?: number;
}

/** `clock`: token expiries, the per-token rate windows, status polls and their deadline. */
export function tiktokPlatform(deps: { config: Config; log: Logger; clock?: Clock; options?: TikTokPlatformOptions }): {
  connector: TikTokConnector;
  publishers: Publisher[];
  insights: TikTokInsightsReader[];
} {
  const { requestTimeoutMs = 30_000, rateLimitWaitMs = 15_000, ...publisherOptions } = deps.options ?? {};
  const clock = deps.clock ?? systemClock;
  const log = moduleLogger(deps.log, 'tiktok');
  const budget = new RateBudget({ maxWaitMs: rateLimitWaitMs, clock });
  const api = new TikTokApi(deps.config.tiktok, { timeoutMs: requestTimeoutMs, budget });
  return {
    connector: new TikTokConnector(deps.config, api, log, () => clock.now()),
    publishers: [new TikTokPublisher(deps.config, api, publisherOptions, clock)],
    insights: [new TikTokInsightsReader(api, clock)],
  };
}

/** The TikTok user who connects: videos, and photo posts from a verified domain. */
export const tiktok: NetworkDescriptor<TikTokConfig, 'tiktok'> = {
  id: 'tiktok',
  label: 'TikTok',
  description: 'Your TikTok account, to publish videos and photo posts to it.',
  connect: { oauth: { consoleName: 'TikTok Login Kit Redirect URI' } },
  config: tiktokConfig,
  clientSettings: [
    {
      key: 'privacy',
      field: 'tiktokPrivacy',
      label: 'TikTok privacy',
      options: [
        ['', 'Ask TikTok for the account’s options (most private allowed)'],
        ...TIKTOK_PRIVACY_LEVELS.map((l) => [l, l] as const),
      ],
      hint: 'While the TikTok app is not audited, every post is private (SELF_ONLY) whatever this says.',
    },
  ],
  setup: 'set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET (see the README, "Connecting TikTok")',
  platforms: [
    {
      id: 'tiktok',
      label: 'TikTok',
      limits: TIKTOK_LIMITS,
      media: { images: true, videos: true },
      check: (caption, media, c) => checkTikTokPost(caption, media, { photosAllowed: c.verifiedUrlPrefix !== null }),
      ai: {
        style: 'TikTok photo post: punchy and casual, speaks to the viewer, trending-style hashtags.',
        hashtags: 6,
        image: { width: 1080, height: 1920, aspect: '9:16' },
        needsImage: true,
      },
      // Results (docs/platforms/tiktok.md#results); the connector asks for both.
      insights: {
        scopes: [
          { scope: 'user.info.stats', why: "the account's follower count, read once a day" },
          { scope: 'video.list', why: "each published video's views, likes, comments and shares" },
        ],
      },
      generationBlocked: (c) => (c.verifiedUrlPrefix ? null : 'TikTok photo posts need TIKTOK_VERIFIED_URL_PREFIX'),
    },
  ],
  create: ({ app, log, clock, options }) =>
    tiktokPlatform({
      config: app,
      log,
      ...(clock ? { clock } : {}),
      ...(options ? { options: options as TikTokPlatformOptions } : {}),
    }),
};
