// Pinterest for the registry: one API client (and its rate-limit pauses) shared by the connector
// and the publisher. Settings and timing are handed in, so tests point it at a fake.
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import type { NetworkDescriptor } from '../network.js';
import { PinterestApi } from './api.js';
import { checkPinterestPost } from './checks.js';
import { pinterestConfig } from './config.js';
import { PINTEREST_ID, PinterestConnector } from './connector.js';
import { PINTEREST_INSIGHT_SCOPES, PinterestInsights } from './insights.js';
import { PINTEREST_LIMITS } from './limits.js';
import { PINTEREST_ACCOUNT_SETTINGS, PINTEREST_POST_OPTIONS } from './post-options.js';
import { PinterestPublisher } from './publisher.js';
import { DEFAULT_PINTEREST_TIMING, type PinterestSettings, type PinterestTiming } from './settings.js';
import { PINTEREST_WRITING } from './writing.js';

export { PinterestConnector } from './connector.js';
export { PinterestPublisher } from './publisher.js';

export function pinterestPlatform(deps: {
  settings: PinterestSettings;
  log: Logger;
  clock: Clock;
  timing?: Partial<PinterestTiming>;
}): { connector: PinterestConnector; publisher: PinterestPublisher; insights: PinterestInsights } {
  const timing = { ...DEFAULT_PINTEREST_TIMING, ...deps.timing };
  const log = moduleLogger(deps.log, 'pinterest');
  const api = new PinterestApi(deps.settings, {
    log,
    clock: deps.clock,
    requestTimeoutMs: timing.requestTimeoutMs,
    uploadTimeoutMs: timing.uploadTimeoutMs,
  });
  return {
    connector: new PinterestConnector(deps.settings, api, log, () => deps.clock.now()),
    publisher: new PinterestPublisher(api, timing, deps.clock),
    insights: new PinterestInsights(api, () => deps.clock.now()),
  };
}

/** One Pinterest account per authorization: image, multi-image and video pins on its boards. */
export const pinterest: NetworkDescriptor<PinterestSettings, 'pinterest'> = {
  id: PINTEREST_ID,
  label: 'Pinterest',
  description: 'Your Pinterest account and its boards, to publish image and video pins to them.',
  connect: { oauth: { consoleName: 'Redirect URIs' } },
  config: pinterestConfig,
  setup: 'set PINTEREST_APP_ID and PINTEREST_APP_SECRET (see the README, "Connecting Pinterest")',
  platforms: [
    {
      id: PINTEREST_ID,
      label: 'Pinterest',
      // The caption is the pin's description.
      limits: { characters: PINTEREST_LIMITS.description, hashtags: null, mentions: null, countsUtf16: false },
      media: { images: true, videos: true },
      check: (caption, media) => checkPinterestPost(caption, media),
      postOptions: PINTEREST_POST_OPTIONS,
      accountSettings: PINTEREST_ACCOUNT_SETTINGS,
      ai: PINTEREST_WRITING,
      insights: { scopes: PINTEREST_INSIGHT_SCOPES },
    },
  ],
  create: ({ config, log, clock, options }) => {
    const { connector, publisher, insights } = pinterestPlatform({
      settings: config,
      log,
      clock: clock ?? systemClock,
      ...(options ? { timing: options as Partial<PinterestTiming> } : {}),
    });
    return { connector, publishers: [publisher], insights: [insights] };
  },
};
