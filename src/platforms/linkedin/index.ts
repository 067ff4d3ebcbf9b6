// LinkedIn for the composition root: one API client shared by the connector and the publisher,
// and the descriptor the registry lists (docs/adding-a-network.md).
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import type { NetworkDescriptor } from '../network.js';
import { LinkedInApi } from './api.js';
import { LINKEDIN_COMMENT_MAX } from './comments.js';
import { linkedinConfig } from './config.js';
import { LinkedInConnector, reconnectNote } from './connector.js';
import { LinkedInInsightsReader } from './insights.js';
import { LINKEDIN_CAPTION_LIMITS, linkedInFieldErrors } from './limits.js';
import { LinkedInPublisher, type LinkedInPublisherOptions } from './publisher.js';
import type { LinkedInSettings } from './settings.js';

export { reconnectNote } from './connector.js';
export { linkedInSettings, type LinkedInSettings } from './settings.js';

export interface LinkedInPlatformOptions extends Partial<LinkedInPublisherOptions> {
  readonly requestTimeoutMs?: number;
}

export function linkedinPlatform(deps: {
  settings: LinkedInSettings;
  log: Logger;
  clock?: Clock;
  options?: LinkedInPlatformOptions;
}): { connector: LinkedInConnector; publisher: LinkedInPublisher; insights: LinkedInInsightsReader } {
  const { requestTimeoutMs = 30_000, ...publisherOptions } = deps.options ?? {};
  const clock = deps.clock ?? systemClock;
  const api = new LinkedInApi(deps.settings, { timeoutMs: requestTimeoutMs, now: () => clock.now() });
  return {
    connector: new LinkedInConnector(api, moduleLogger(deps.log, 'linkedin'), () => clock.now()),
    publisher: new LinkedInPublisher(api, publisherOptions, clock),
    insights: new LinkedInInsightsReader(api, () => clock.now()),
  };
}

/** The Pages a member administers and the member's own profile, from one sign-in. */
export const linkedin: NetworkDescriptor<LinkedInSettings, 'linkedin'> = {
  id: 'linkedin',
  label: 'LinkedIn',
  description:
    'The LinkedIn Pages you administer, and your own LinkedIn profile (shown as "personal profile"). ' +
    'You can stop posting to any of them afterwards.',
  connect: { oauth: { consoleName: 'LinkedIn app Authorized redirect URL' } },
  config: linkedinConfig,
  setup: 'set LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET (see the README, "Connecting LinkedIn")',
  platforms: [
    {
      id: 'linkedin',
      label: 'LinkedIn',
      limits: LINKEDIN_CAPTION_LIMITS,
      media: { images: true, videos: true },
      check: (caption, media) => linkedInFieldErrors(caption, media),
      ai: {
        style:
          'LinkedIn post: professional but personal, a hook in the first two lines (the rest is behind ' +
          '"see more"), short paragraphs, a few hashtags at the end.',
        hashtags: 3,
        image: { width: 1200, height: 1200, aspect: '1:1' },
        needsImage: false,
      },
      // Without a refresh token access ends after 60 days (docs/platforms/linkedin.md#tokens).
      accountNote: (account, now) => reconnectNote(account, now),
      // Results for Pages only (docs/platforms/linkedin.md#results); the connector always asked for it.
      insights: {
        scopes: [
          {
            scope: 'rw_organization_admin',
            why: "a Page's post statistics (impressions, clicks, reactions, comments, reposts) and its followers",
          },
        ],
        // A member's own profile has no statistics API: it is never asked to reconnect for results.
        appliesTo: (platformData) => platformData.kind !== 'person',
      },
      // A comment on the post by its author. It needs the scope the post itself needed
      // (w_organization_social as a Page, w_member_social as a member), so an account that can post can
      // comment and nothing more is asked (docs/platforms/linkedin.md#first-comments).
      firstComment: { maxLength: LINKEDIN_COMMENT_MAX, scopes: [] },
    },
  ],
  create: ({ config, log, clock, options }) => {
    const { connector, publisher, insights } = linkedinPlatform({
      settings: config,
      log,
      ...(clock ? { clock } : {}),
      ...(options ? { options: options as LinkedInPlatformOptions } : {}),
    });
    return { connector, publishers: [publisher], insights: [insights] };
  },
};
