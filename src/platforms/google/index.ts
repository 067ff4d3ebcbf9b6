// Google as a network: its descriptor for the registry, and one API client shared by the connector
// and the Business Profile publisher (docs/platforms/google-business.md#hosts).
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import type { NetworkDescriptor, NetworkStore } from '../network.js';
import { GoogleApi } from './api.js';
import { googleConfig } from './config.js';
import { GOOGLE_BUSINESS, GoogleConnector } from './connector.js';
import { GOOGLE_BUSINESS_INSIGHT_SCOPES, GoogleBusinessInsights } from './insights.js';
import { GOOGLE_BUSINESS_LIMITS, GOOGLE_BUSINESS_STYLE } from './local-post.js';
import { checkGoogleBusinessPost, GOOGLE_BUSINESS_POST_OPTIONS } from './post-options.js';
import { GoogleBusinessPublisher, type GooglePublisherOptions } from './publisher.js';
import { googleSettings, type GoogleSettings } from './settings.js';
import { YouTubeApi } from './youtube-api.js';
import { YOUTUBE_INSIGHT_SCOPES, YouTubeInsights } from './youtube-insights.js';
import { YouTubePublisher, type YouTubePublisherOptions } from './youtube-publisher.js';
import { DEFAULT_DAILY_QUOTA, YouTubeQuota } from './youtube-quota.js';
import {
  checkYouTubePost,
  describeYouTubeVideo,
  YOUTUBE,
  YOUTUBE_LIMITS,
  YOUTUBE_POST_OPTIONS,
} from './youtube-video.js';

export { GoogleConnector } from './connector.js';
export { GoogleBusinessPublisher } from './publisher.js';
export { checkLocalPost, type LocalPostDetails } from './local-post.js';
export type { GoogleSettings } from './settings.js';
export { YouTubePublisher } from './youtube-publisher.js';

export interface GooglePlatformOptions extends Partial<GooglePublisherOptions> {
  /** Per HTTP request to Google. */
  readonly requestTimeoutMs?: number;
  /** YouTube's waits and chunk size. */
  readonly youtube?: Partial<YouTubePublisherOptions>;
  /** The project's daily YouTube quota in units (Google's default for a new project). */
  readonly youtubeDailyQuota?: number;
}

/** `clock`: token expiries, state polls and their deadline. */
export function googlePlatform(deps: {
  settings: Partial<GoogleSettings> & Pick<GoogleSettings, 'clientId' | 'clientSecret'>;
  log: Logger;
  clock?: Clock;
  options?: GooglePlatformOptions;
  store?: NetworkStore;
}): {
  connector: GoogleConnector;
  publisher: GoogleBusinessPublisher;
  youtube: YouTubePublisher;
  quota: YouTubeQuota;
  insights: [GoogleBusinessInsights, YouTubeInsights];
} {
  const { requestTimeoutMs = 30_000, youtube = {}, youtubeDailyQuota, ...publisherOptions } = deps.options ?? {};
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  const settings = googleSettings(deps.settings);
  const api = new GoogleApi(settings, { timeoutMs: requestTimeoutMs, now });
  const quota = new YouTubeQuota(youtubeDailyQuota ?? DEFAULT_DAILY_QUOTA, now, deps.store ?? null);
  const youtubeApi = new YouTubeApi(settings, quota, { timeoutMs: requestTimeoutMs, now });
  return {
    connector: new GoogleConnector(api, moduleLogger(deps.log, 'google'), now, youtubeApi),
    publisher: new GoogleBusinessPublisher(api, publisherOptions, clock),
    youtube: new YouTubePublisher(youtubeApi, youtube, clock),
    quota,
    insights: [new GoogleBusinessInsights(api), new YouTubeInsights(youtubeApi, now)],
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
  connect: {
    oauth: {
      consoleName: 'Google Cloud OAuth client "Authorized redirect URIs"',
      // Its own button: the YouTube scopes are asked for only by it (docs/platforms/youtube.md#scopes).
      entries: [
        {
          key: 'youtube',
          label: 'YouTube',
          description: 'Your YouTube channel, to upload videos and Shorts to it.',
        },
      ],
    },
  },
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
      insights: { scopes: GOOGLE_BUSINESS_INSIGHT_SCOPES },
    },
    {
      id: YOUTUBE,
      label: 'YouTube',
      // The caption is the description (5,000 bytes, checked in check); the title is its own field.
      limits: { characters: 5_000, hashtags: 15, mentions: null, countsUtf16: false },
      media: { images: false, videos: true },
      check: (caption, media, _config, options) => checkYouTubePost(caption, media, options),
      postOptions: YOUTUBE_POST_OPTIONS,
      ai: {
        style: 'YouTube description: what the video shows in the first line, then two or three short lines.',
        hashtags: 3,
        image: { width: 1080, height: 1920, aspect: '9:16' },
        needsImage: false,
      },
      describe: describeYouTubeVideo,
      insights: { scopes: YOUTUBE_INSIGHT_SCOPES },
      generationBlocked: () => 'YouTube posts are videos; the autopilot writes only image and text posts.',
      accountNote: () =>
        "Unless the server's Google Cloud project has passed YouTube's audit, YouTube keeps the videos " +
        'Herald uploads private. ' +
        `Shorts: vertical or square videos of at most ${YOUTUBE_LIMITS.shortMaxMs / 60_000} minutes.`,
    },
  ],
  create: ({ config, log, clock, options, store }) => {
    const { connector, publisher, youtube, quota, insights } = googlePlatform({
      settings: config,
      log,
      ...(clock ? { clock } : {}),
      ...(options ? { options: options as GooglePlatformOptions } : {}),
      ...(store ? { store } : {}),
    });
    return {
      connector,
      publishers: [publisher, youtube],
      insights,
      // Counted since midnight Pacific, kept in the settings table (docs/platforms/youtube.md#quota).
      usage: () => [
        {
          label: 'YouTube quota units today',
          used: quota.used(),
          limit: quota.daily,
          resetsAt: (clock?.now() ?? Date.now()) + quota.untilReset(),
        },
      ],
    };
  },
};
