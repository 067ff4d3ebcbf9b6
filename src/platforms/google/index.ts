// Google for the composition root: one API client shared by the connector and the Business Profile
// publisher. Settings come in as options (docs/platforms/google-business.md#hosts).
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import { GoogleApi } from './api.js';
import { GoogleConnector } from './connector.js';
import { GoogleBusinessPublisher, type GooglePublisherOptions } from './publisher.js';
import { googleSettings, type GoogleSettings } from './settings.js';

export { GoogleApi } from './api.js';
export { GoogleConnector, GOOGLE_BUSINESS, locationPath, type GoogleConnectedAccount } from './connector.js';
export { GoogleBusinessPublisher } from './publisher.js';
export {
  checkLocalPost,
  GOOGLE_BUSINESS_LIMITS,
  GOOGLE_BUSINESS_STYLE,
  type LocalPostDetails,
} from './local-post.js';
export { GOOGLE_SCOPES, scopesFor, type GoogleProduct, type GoogleSettings } from './settings.js';

export interface GooglePlatformOptions extends Partial<GooglePublisherOptions> {
  /** Per HTTP request to Google. */
  readonly requestTimeoutMs?: number;
}

/** `clock`: token expiries, state polls and their deadline. */
export function googlePlatform(deps: {
  settings: Partial<GoogleSettings> & Pick<GoogleSettings, 'clientId' | 'clientSecret'>;
  log: Logger;
  clock?: Clock;
  options?: GooglePlatformOptions;
}): { connector: GoogleConnector; publisher: GoogleBusinessPublisher } {
  const { requestTimeoutMs = 30_000, ...publisherOptions } = deps.options ?? {};
  const clock = deps.clock ?? systemClock;
  const api = new GoogleApi(googleSettings(deps.settings), { timeoutMs: requestTimeoutMs, now: () => clock.now() });
  return {
    connector: new GoogleConnector(api, moduleLogger(deps.log, 'google'), () => clock.now()),
    publisher: new GoogleBusinessPublisher(api, publisherOptions, clock),
  };
}
