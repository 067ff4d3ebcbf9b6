// TikTok for the composition root: one API client (and one per-token rate budget) shared by the
// connector and the publisher.
import type { Config } from '../../config.js';
import { moduleLogger, type Logger } from '../../log.js';
import type { Publisher } from '../types.js';
import { TikTokApi } from './api.js';
import { TikTokConnector } from './connector.js';
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
  /** The clock token expiries are computed with. */
  readonly now?: () => number;
}

export function tiktokPlatform(deps: { config: Config; log: Logger; options?: TikTokPlatformOptions }): { connector: TikTokConnector; publishers: Publisher[] } {
  const { requestTimeoutMs = 30_000, rateLimitWaitMs = 15_000, now, ...publisherOptions } = deps.options ?? {};
  const log = moduleLogger(deps.log, 'tiktok');
  const budget = new RateBudget({ maxWaitMs: rateLimitWaitMs });
  const api = new TikTokApi(deps.config.tiktok, { timeoutMs: requestTimeoutMs, budget });
  return {
    connector: new TikTokConnector(deps.config, api, log, now),
    publishers: [new TikTokPublisher(deps.config, api, publisherOptions)],
  };
}
