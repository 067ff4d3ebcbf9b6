// LinkedIn for the composition root: one API client shared by the connector and the publisher.
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import { LinkedInApi } from './api.js';
import { LinkedInConnector } from './connector.js';
import { LinkedInPublisher, type LinkedInPublisherOptions } from './publisher.js';
import type { LinkedInSettings } from './settings.js';

export { LinkedInApi, encodeUrn } from './api.js';
export { LinkedInConnector, LINKEDIN_SCOPES, reconnectNote } from './connector.js';
export { LinkedInPublisher, permalink } from './publisher.js';
export { escapeLittleText } from './little-text.js';
export { LINKEDIN_LIMITS, checkLinkedInPost } from './limits.js';
export { linkedInSettings, LINKEDIN_DEFAULTS, type LinkedInSettings } from './settings.js';

export interface LinkedInPlatformOptions extends Partial<LinkedInPublisherOptions> {
  readonly requestTimeoutMs?: number;
}

export function linkedinPlatform(deps: {
  settings: LinkedInSettings;
  log: Logger;
  clock?: Clock;
  options?: LinkedInPlatformOptions;
}): { connector: LinkedInConnector; publisher: LinkedInPublisher } {
  const { requestTimeoutMs = 30_000, ...publisherOptions } = deps.options ?? {};
  const clock = deps.clock ?? systemClock;
  const api = new LinkedInApi(deps.settings, { timeoutMs: requestTimeoutMs, now: () => clock.now() });
  return {
    connector: new LinkedInConnector(api, moduleLogger(deps.log, 'linkedin'), () => clock.now()),
    publisher: new LinkedInPublisher(api, publisherOptions, clock),
  };
}
