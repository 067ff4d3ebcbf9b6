// Threads for the registry: one API client (and its rate-limit pauses) shared by the connector and
// the publisher. Settings and timing are handed in, so tests point it at a fake.
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import type { NetworkDescriptor } from '../network.js';
import { ThreadsApi } from './api.js';
import { checkThreadsPost } from './checks.js';
import { threadsConfig } from './config.js';
import { THREADS_COMMENT_SCOPES, THREADS_ID, ThreadsConnector } from './connector.js';
import { ThreadsInsightsReader } from './insights.js';
import { THREADS_LIMITS } from './limits.js';
import { ThreadsPublisher } from './publisher.js';
import { DEFAULT_THREADS_TIMING, type ThreadsSettings, type ThreadsTiming } from './settings.js';
import { THREADS_WRITING } from './writing.js';

export { ThreadsConnector } from './connector.js';
export { ThreadsPublisher } from './publisher.js';
export { checkThreadsPost } from './checks.js';
export { threadsTextLength } from './limits.js';

export function threadsPlatform(deps: {
  settings: ThreadsSettings;
  log: Logger;
  clock: Clock;
  timing?: Partial<ThreadsTiming>;
}): { connector: ThreadsConnector; publisher: ThreadsPublisher; insights: ThreadsInsightsReader } {
  const timing = { ...DEFAULT_THREADS_TIMING, ...deps.timing };
  const log = moduleLogger(deps.log, 'threads');
  const api = new ThreadsApi(deps.settings, { log, clock: deps.clock, requestTimeoutMs: timing.requestTimeoutMs });
  return {
    connector: new ThreadsConnector(deps.settings, api, log, () => deps.clock.now()),
    publisher: new ThreadsPublisher(api, timing, deps.clock),
    insights: new ThreadsInsightsReader(api, deps.clock),
  };
}

/** One Threads profile per authorization: text, image, video and carousel posts. */
export const threads: NetworkDescriptor<ThreadsSettings, 'threads'> = {
  id: THREADS_ID,
  label: 'Threads',
  description: 'Your Threads profile, to publish text, image, video and carousel posts to it.',
  connect: { oauth: { consoleName: 'Threads use case Redirect Callback URL' } },
  config: threadsConfig,
  setup: 'set THREADS_APP_ID and THREADS_APP_SECRET (see the README, "Connecting Threads")',
  platforms: [
    {
      id: THREADS_ID,
      label: 'Threads',
      // What the editor counts; the full count (emoji as their bytes, five links) is checkThreadsPost's.
      limits: { characters: THREADS_LIMITS.text, hashtags: null, mentions: null, countsUtf16: false },
      media: { images: true, videos: true },
      check: (caption, media) => checkThreadsPost(caption, media),
      ai: THREADS_WRITING,
      // Results (docs/platforms/threads.md#results); the connector has always asked for it.
      insights: {
        scopes: [
          {
            scope: 'threads_manage_insights',
            why: "each post's views, likes, replies, reposts, quotes and shares, and the profile's followers",
          },
        ],
      },
      // A reply from the same profile (docs/platforms/threads.md#first-comments).
      firstComment: { maxLength: THREADS_LIMITS.text, scopes: THREADS_COMMENT_SCOPES },
    },
  ],
  create: ({ config, log, clock, options }) => {
    const { connector, publisher, insights } = threadsPlatform({
      settings: config,
      log,
      clock: clock ?? systemClock,
      ...(options ? { timing: options as Partial<ThreadsTiming> } : {}),
    });
    return { connector, publishers: [publisher], insights: [insights] };
  },
};
