// TikTok for the composition root: one API client (and one per-token rate budget) shared by the
// connector and the publisher.
import type { Config } from '../../config.js';
import { systemClock, type Clock } from '../../lib/clock.js';
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
}

/** `clock`: token expiries, the per-token rate windows, status polls and their deadline. */
export function tiktokPlatform(deps: { config: Config; log: Logger; clock?: Clock; options?: TikTokPlatformOptions }): {
  connector: TikTokConnector;
  publishers: Publisher[];
} {
  const { requestTimeoutMs = 30_000, rateLimitWaitMs = 15_000, ...publisherOptions } = deps.options ?? {};
  const clock = deps.clock ?? systemClock;
  const log = moduleLogger(deps.log, 'tiktok');
  const budget = new RateBudget({ maxWaitMs: rateLimitWaitMs, clock });
  const api = new TikTokApi(deps.config.tiktok, { timeoutMs: requestTimeoutMs, budget });
  return {
    connector: new TikTokConnector(deps.config, api, log, () => clock.now()),
    publishers: [new TikTokPublisher(deps.config, api, publisherOptions, clock)],
  };
}
