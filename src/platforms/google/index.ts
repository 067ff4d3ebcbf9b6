// Google as a network: its descriptor for the registry, and one API client shared by the connector
// and the Business Profile publisher (docs/platforms/google-business.md#hosts).
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import type { NetworkDescriptor } from '../network.js';
import { GoogleApi } from './api.js';
import { googleConfig } from './config.js';
import { GOOGLE_BUSINESS, GoogleConnector } from './connector.js';
import { GOOGLE_BUSINESS_LIMITS, GOOGLE_BUSINESS_STYLE } from './local-post.js';
import { checkGoogleBusinessPost, GOOGLE_BUSINESS_POST_OPTIONS } from './post-options.js';
import { GoogleBusinessPublisher, type GooglePublisherOptions } from './publisher.js';
import { googleSettings, type GoogleSettings } from './settings.js';

export { GoogleConnector } from './connector.js';
export { GoogleBusinessPublisher } from './publisher.js';
export { checkLocalPost, type LocalPostDetails } from './local-post.js';
export type { GoogleSettings } from './settings.js';

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

/**
 * The Google user who connects: every Business Profile location of every account they manage. One
 * OAuth client; YouTube joins this connection as a second platform.
 */
export const google: NetworkDescriptor<GoogleSettings, 'google'> = {
  id: 'google',
  label: 'Google Business Profile',
  description: 'Each Business Profile location you manage, to publish updates, events and offers to it.',
  connect: { oauth: { consoleName: 'Google Cloud OAuth client "Authorized redirect URIs"' } },
  config: googleConfig,
  setup: 'set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (see the README, "Connecting Google Business Profile")',
  platforms: [
    {
      id: GOOGLE_BUSINESS,
      label: 'Google Business Profile',
      // Hashtags and mentions mean nothing on a Business Profile; Google counts characters.
      limits: { characters: GOOGLE_BUSINESS_LIMITS.summary, hashtags: null, mentions: null, countsUtf16: false },
      media: { images: true, videos: GOOGLE_BUSINESS_LIMITS.videos },
      check: (caption, media, _config, options) => checkGoogleBusinessPost(caption, media, options),
      postOptions: GOOGLE_BUSINESS_POST_OPTIONS,
      ai: {
        style: GOOGLE_BUSINESS_STYLE.habit,
        hashtags: 0,
        image: { width: 1200, height: 1200, aspect: GOOGLE_BUSINESS_STYLE.imageAspect },
        needsImage: false,
      },
    },
  ],
  create: ({ config, log, clock, options }) => {
    const { connector, publisher } = googlePlatform({
      settings: config,
      log,
      ...(clock ? { clock } : {}),
      ...(options ? { options: options as GooglePlatformOptions } : {}),
    });
    return { connector, publishers: [publisher] };
  },
};
