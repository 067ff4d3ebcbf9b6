// Bluesky: accounts connect with a handle and an app password (a form, no OAuth redirect and no
// developer app); one connector and one publisher on one set of settings (docs/platforms/bluesky.md).
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import type { NetworkDescriptor } from '../network.js';
import { blueskyConfig, type BlueskyConfig } from './config.js';
import { APP_PASSWORDS_URL, BlueskyConnector } from './connector.js';
import { BlueskyInsights } from './insights.js';
import { BLUESKY_CAPTION_LIMITS, BLUESKY_LIMITS, checkBlueskyPost } from './limits.js';
import { BlueskyPublisher } from './publisher.js';
import { DEFAULT_SETTINGS, type BlueskySettings } from './settings.js';

export function blueskyPlatform(deps: { log: Logger; clock?: Clock; settings?: Partial<BlueskySettings> }): {
  connector: BlueskyConnector;
  publisher: BlueskyPublisher;
} {
  const settings: BlueskySettings = { ...DEFAULT_SETTINGS, ...deps.settings };
  const clock = deps.clock ?? systemClock;
  const connector = new BlueskyConnector(settings, moduleLogger(deps.log, 'bluesky'), clock);
  return { connector, publisher: new BlueskyPublisher({ settings, connector, clock }) };
}

/** Test-only settings (HeraldOptions.platformOptions.bluesky). */
type BlueskyOptions = Partial<
  Pick<BlueskySettings, 'requestTimeoutMs' | 'imageMaxBytes' | 'videoPollIntervalMs' | 'videoWaitMs'>
>;

/**
 * The settings from the configuration. A service or directory URL an admin set to plain HTTP (a
 * local PDS) lets Herald use plain HTTP with that host, and only that one: everything else, and every
 * PDS a DID document names elsewhere, must be HTTPS.
 */
function settingsOf(config: BlueskyConfig, options: BlueskyOptions): Partial<BlueskySettings> {
  const insecureHosts = [config.serviceUrl, config.plcUrl, config.videoUrl].flatMap((u) => {
    const url = new URL(u);
    return url.protocol === 'http:' ? [url.host] : [];
  });
  return {
    handleResolverUrl: config.serviceUrl,
    plcDirectoryUrl: config.plcUrl,
    videoServiceUrl: config.videoUrl,
    insecureHosts,
    ...options,
  };
}

/** Bluesky accounts, connected with an app password their owner makes for Herald. */
export const bluesky: NetworkDescriptor<BlueskyConfig, 'bluesky'> = {
  id: 'bluesky',
  label: 'Bluesky',
  description: 'Your Bluesky account, to publish posts to it.',
  connect: {
    form: {
      intro:
        'Herald signs in to Bluesky with an app password, not your main password: it lets Herald post for ' +
        'you, and you can revoke it at any time without changing your password. In the Bluesky app open ' +
        'Settings → Privacy and security → App passwords, add one named "Herald" (leave "Allow access to ' +
        'your direct messages" off) and paste it below.',
      fields: [
        {
          name: 'handle',
          label: 'Bluesky handle',
          type: 'text',
          placeholder: 'alice.bsky.social',
          autocomplete: 'username',
          hint: 'Your handle without the @, or your own domain if you use one.',
        },
        {
          name: 'appPassword',
          label: 'App password',
          type: 'password',
          placeholder: 'abcd-efgh-ijkl-mnop',
          autocomplete: 'off',
          hint: 'Not your main password: an app password made for Herald.',
        },
      ],
      help: { text: 'Make an app password in Bluesky', url: APP_PASSWORDS_URL },
    },
  },
  config: blueskyConfig,
  // Never shown while the network is always configured; kept for a build that turns it off.
  setup: 'nothing to set: Bluesky accounts connect with their own app password (see the README, "Connecting Bluesky")',
  platforms: [
    {
      id: 'bluesky',
      label: 'Bluesky',
      limits: BLUESKY_CAPTION_LIMITS,
      media: { images: true, videos: true },
      check: (caption, media) => checkBlueskyPost(caption, media),
      ai: {
        style:
          'Bluesky post: conversational and direct, one or two short sentences (300 characters at most), ' +
          'at most 2 hashtags, no emoji walls.',
        hashtags: 2,
        image: { width: 1024, height: 1024, aspect: '1:1' },
        needsImage: false,
      },
      // An app password reads what the account can; nothing more is asked (docs/platforms/bluesky.md#results).
      insights: { scopes: [] },
      // A reply record from the same account; an app password may write it (docs/platforms/bluesky.md#first-comments).
      firstComment: { maxLength: BLUESKY_LIMITS.graphemes, scopes: [] },
    },
  ],
  create: ({ config, log, clock, options }) => {
    const settings = settingsOf(config, (options ?? {}) as BlueskyOptions);
    const { connector, publisher } = blueskyPlatform({ log, ...(clock ? { clock } : {}), settings });
    const now = () => (clock ?? systemClock).now();
    const insights = new BlueskyInsights({ ...DEFAULT_SETTINGS, ...settings }, now);
    return { connector, publishers: [publisher], insights: [insights] };
  },
};
