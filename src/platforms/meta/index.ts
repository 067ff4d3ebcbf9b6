// The Meta vendor module: one Graph client (so the usage headers of every call inform the next,
// docs/platforms/meta.md#rate-limits) shared by the connector and the Facebook and Instagram publishers.
import type { Config } from '../../config.js';
import { moduleLogger, type Logger } from '../../log.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import type { InsightsReader } from '../insights.js';
import type { NetworkDescriptor } from '../network.js';
import type { Publisher } from '../types.js';
import { metaConfig, type MetaConfig } from './config.js';
import {
  checkFacebookPost,
  checkFacebookReel,
  checkFacebookStory,
  checkInstagramPost,
  checkInstagramStory,
  describeVerticalMedia,
  FACEBOOK_LIMITS,
  INSTAGRAM_LIMITS,
} from './limits.js';
import { MetaConnector } from './connector.js';
import { FacebookPublisher } from './facebook-publisher.js';
import { GraphClient } from './graph.js';
import { FacebookInsightsReader, InstagramInsightsReader } from './insights.js';
import { InstagramPublisher } from './instagram-publisher.js';

export { MetaConnector } from './connector.js';
export { GraphClient, readUsage } from './graph.js';
export { mapGraphError, type GraphErrorBody } from './errors.js';

export interface MetaOptions {
  /**
   * Instagram container status polls (production: every 10 s for up to 5 min,
   * docs/platforms/meta.md#container-status).
   */
  readonly pollIntervalMs?: number;
  readonly pollTimeoutMs?: number;
  /** Per Graph request (production 30 s). */
  readonly requestTimeoutMs?: number;
  /** Facebook photo and video calls, during which Facebook downloads the file (production 5 min). */
  readonly uploadTimeoutMs?: number;
  /** The longest pause before a call when usage is high (production 10 s, docs/platforms/meta.md#rate-limits). */
  readonly slowDownMaxMs?: number;
  /** `limit` for Page listings (production 100, docs/platforms/meta.md#listing-pages). */
  readonly pageSize?: number;
}

const DEFAULT_META_OPTIONS = {
  pollIntervalMs: 10_000,
  pollTimeoutMs: 5 * 60_000,
  requestTimeoutMs: 30_000,
  uploadTimeoutMs: 5 * 60_000,
  slowDownMaxMs: 10_000,
  pageSize: 100,
} as const;

export function metaPlatform(deps: { config: Config; log: Logger; clock?: Clock; options?: MetaOptions }): {
  connector: MetaConnector;
  publishers: Publisher[];
  insights: InsightsReader[];
} {
  const o = { ...DEFAULT_META_OPTIONS, ...deps.options };
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  const log = moduleLogger(deps.log, 'meta');
  const graph = new GraphClient({
    graphUrl: deps.config.meta.graphUrl,
    appId: deps.config.meta.appId,
    appSecret: deps.config.meta.appSecret,
    log,
    requestTimeoutMs: o.requestTimeoutMs,
    slowDownMaxMs: o.slowDownMaxMs,
    clock,
  });
  const connector = new MetaConnector(
    { config: deps.config, log, graph },
    { now, pageSize: o.pageSize, requestTimeoutMs: o.requestTimeoutMs },
  );
  const publishers: Publisher[] = [
    new FacebookPublisher(
      graph,
      { uploadTimeoutMs: o.uploadTimeoutMs, pollIntervalMs: o.pollIntervalMs, pollTimeoutMs: o.pollTimeoutMs },
      clock,
    ),
    new InstagramPublisher(graph, { pollIntervalMs: o.pollIntervalMs, pollTimeoutMs: o.pollTimeoutMs }, clock),
  ];
  // Results readers share the publishers' client: their calls count in the same usage headers.
  const insights: InsightsReader[] = [
    new FacebookInsightsReader(graph, clock),
    new InstagramInsightsReader(graph, clock),
  ];
  return { connector, publishers, insights };
}

/** Facebook Pages, and the Instagram business accounts linked to them (children of their Page). */
export const meta: NetworkDescriptor<MetaConfig, 'meta'> = {
  id: 'meta',
  label: 'Facebook & Instagram',
  description:
    'Your Facebook Pages, and the Instagram business or creator accounts linked to them. ' +
    'Facebook asks which Pages to share.',
  connect: { oauth: { consoleName: 'Meta (Facebook Login) Valid OAuth Redirect URI' } },
  config: metaConfig,
  setup: 'set META_APP_ID and META_APP_SECRET (see the README, "Connecting Facebook and Instagram")',
  platforms: [
    {
      id: 'facebook',
      label: 'Facebook',
      limits: FACEBOOK_LIMITS,
      media: { images: true, videos: true },
      check: (caption, media) => checkFacebookPost(caption, media),
      // 8,000 characters is the commonly cited cap, not a documented one (docs/platforms/meta.md#first-comments).
      firstComment: {
        maxLength: 8000,
        scopes: [{ scope: 'pages_manage_engagement', why: 'adding the first comment under a Page post, as the Page' }],
      },
      ai: {
        style:
          'Facebook Page post: conversational, 1–3 short paragraphs, at most 3 hashtags, ' +
          'a clear call to action when it fits.',
        hashtags: 3,
        image: { width: 1080, height: 1080, aspect: '1:1' },
        needsImage: false,
      },
      // docs/platforms/meta-surfaces.md: one media each; a Story has no caption and no comments.
      surfaces: {
        reel: {
          label: 'Reel',
          caption: FACEBOOK_LIMITS,
          media: { images: false, videos: true, min: 1, max: 1 },
          firstComment: true,
          check: (caption, media) => checkFacebookReel(caption, media),
          describe: (media) => describeVerticalMedia('Facebook', media),
        },
        story: {
          label: 'Story',
          caption: null,
          media: { images: true, videos: true, min: 1, max: 1 },
          firstComment: false,
          check: (_caption, media) => checkFacebookStory(media),
          describe: (media) => describeVerticalMedia('Facebook', media),
        },
      },
      insights: {
        scopes: [
          { scope: 'read_insights', why: 'Page and post views, reach and clicks for the results pages' },
          { scope: 'pages_read_engagement', why: 'reactions, comments and shares of the Page’s posts' },
        ],
      },
    },
    {
      id: 'instagram',
      label: 'Instagram',
      limits: INSTAGRAM_LIMITS,
      media: { images: true, videos: true },
      check: (caption, media) => checkInstagramPost(caption, media),
      // 2,200 characters as captions; commonly cited, not documented (docs/platforms/meta.md#first-comments).
      firstComment: {
        maxLength: 2200,
        scopes: [{ scope: 'instagram_manage_comments', why: 'adding the first comment under an Instagram post' }],
      },
      ai: {
        style:
          'Instagram caption: a strong first line (it is cut off after ~125 characters), short lines, ' +
          'emojis in moderation, hashtags at the end.',
        hashtags: 12,
        image: { width: 1080, height: 1350, aspect: '4:5' },
        needsImage: true,
      },
      surfaces: {
        story: {
          label: 'Story',
          caption: null,
          media: { images: true, videos: true, min: 1, max: 1 },
          firstComment: false,
          check: (_caption, media) => checkInstagramStory(media),
          describe: (media) => describeVerticalMedia('Instagram', media),
        },
      },
      // Instagram accounts publish with their Page's token (docs/platforms/meta.md).
      parent: { platform: 'facebook', sharesToken: true },
      insights: {
        scopes: [
          {
            scope: 'instagram_manage_insights',
            why: 'views, reach, saves and shares of posts, Reels and stories, and the account’s daily numbers',
          },
          { scope: 'pages_read_engagement', why: 'Instagram insights are read through the linked Facebook Page' },
        ],
      },
    },
  ],
  create: ({ app, log, clock, options }) =>
    metaPlatform({
      config: app,
      log,
      ...(clock ? { clock } : {}),
      ...(options ? { options: options as MetaOptions } : {}),
    }),
};
