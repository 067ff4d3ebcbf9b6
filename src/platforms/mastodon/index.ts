// Mastodon: any instance. The person types their instance's address in a form; Herald registers
// itself there once and runs that instance's OAuth (docs/platforms/mastodon.md).
import { systemClock } from '../../lib/clock.js';
import { moduleLogger } from '../../log.js';
import type { NetworkDescriptor } from '../network.js';
import { mastodonConfig, type MastodonConfig } from './config.js';
import { MASTODON_INSIGHT_SCOPES, MastodonInsights } from './insights.js';
import { MASTODON_COMMENT_MAX } from './comments.js';
import { MastodonConnector } from './connector.js';
import { accountLimits, checkMastodonPost, MASTODON_CAPTION_LIMITS } from './limits.js';
import { mastodonPostOptions, type MastodonOptions } from './options.js';
import { MastodonPublisher } from './publisher.js';
import { DEFAULT_SETTINGS, type MastodonSettings } from './settings.js';

export const mastodon: NetworkDescriptor<MastodonConfig, 'mastodon'> = {
  id: 'mastodon',
  label: 'Mastodon',
  description: 'Your Mastodon account, on any instance, to publish posts to it.',
  connect: {
    form: {
      intro:
        'Type the address of the Mastodon server (instance) your account is on. Herald sends you there to ' +
        'sign in and allow Herald to post for you; you can revoke that at any time in your account’s ' +
        'settings under Authorized apps.',
      fields: [
        {
          name: 'instance',
          label: 'Instance address',
          type: 'text',
          placeholder: 'mastodon.social',
          autocomplete: 'url',
          hint: 'The part after the second @ of your handle: for @alice@mastodon.social, mastodon.social.',
        },
      ],
      help: { text: 'Find your instance', url: 'https://joinmastodon.org/servers' },
    },
  },
  config: mastodonConfig,
  setup: 'nothing to set: Herald registers itself with each instance (see the README, "Connecting Mastodon")',
  platforms: [
    {
      id: 'mastodon',
      label: 'Mastodon',
      limits: MASTODON_CAPTION_LIMITS,
      media: { images: true, videos: true },
      // Against the account's instance's limits as stored at connect (a stock instance's without an
      // account), and again before each send as they are then (docs/platforms/mastodon.md#instance-limits).
      check: (caption, media, _config, options, account) =>
        checkMastodonPost(
          caption,
          media,
          accountLimits(account?.platformData),
          (options as MastodonOptions).spoilerText ?? '',
        ),
      postOptions: mastodonPostOptions,
      ai: {
        style:
          'Mastodon post: plain, friendly and informative, no marketing hype, hashtags in CamelCase at the end ' +
          '(they are how people find posts there), 500 characters at most.',
        hashtags: 3,
        image: { width: 1200, height: 1200, aspect: '1:1' },
        needsImage: false,
      },
      insights: { scopes: MASTODON_INSIGHT_SCOPES },
      // A reply from the same account (docs/platforms/mastodon.md#first-comments).
      firstComment: {
        maxLength: MASTODON_COMMENT_MAX,
        scopes: [
          { scope: 'write:statuses', why: 'the first comment, a reply to the post from the same account' },
          { scope: 'read:statuses', why: 'finding that reply in the post’s thread when its answer was lost' },
        ],
      },
    },
  ],
  create: ({ config, app, log, clock, store, options }) => {
    const extra = (options ?? {}) as Partial<MastodonSettings>;
    const privateHosts = [...config.privateHosts, ...(extra.privateHosts ?? [])];
    const settings: MastodonSettings = { ...DEFAULT_SETTINGS, ...extra, privateHosts };
    const c = clock ?? systemClock;
    return {
      connector: new MastodonConnector(settings, store, app.publicUrl, moduleLogger(log, 'mastodon'), c),
      publishers: [new MastodonPublisher(settings, c)],
      insights: [new MastodonInsights(settings, () => c.now())],
    };
  },
};
