import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../log.js';
import { metaPlatform, type MetaOptions } from './meta/index.js';
import { tiktokPlatform, type TikTokPlatformOptions } from './tiktok/index.js';
import type { Connector, Publisher } from './types.js';

export interface PlatformOptions {
  meta?: MetaOptions;
  tiktok?: TikTokPlatformOptions;
}

/**
 * The vendors this server is configured for: their OAuth connectors and their publishers.
 * A vendor without credentials contributes nothing; the pages then say what to set.
 */
export function createPlatforms(deps: { config: Config; log: Logger; clock?: Clock; options?: PlatformOptions }): {
  connectors: Connector[];
  publishers: Publisher[];
} {
  const clock = deps.clock ? { clock: deps.clock } : {};
  const connectors: Connector[] = [];
  const publishers: Publisher[] = [];
  if (deps.config.meta.appId && deps.config.meta.appSecret) {
    const meta = metaPlatform({
      config: deps.config,
      log: deps.log,
      ...clock,
      ...(deps.options?.meta ? { options: deps.options.meta } : {}),
    });
    connectors.push(meta.connector);
    publishers.push(...meta.publishers);
  }
  if (deps.config.tiktok.clientKey && deps.config.tiktok.clientSecret) {
    const tiktok = tiktokPlatform({
      config: deps.config,
      log: deps.log,
      ...clock,
      ...(deps.options?.tiktok ? { options: deps.options.tiktok } : {}),
    });
    connectors.push(tiktok.connector);
    publishers.push(...tiktok.publishers);
  }
  return { connectors, publishers };
}
