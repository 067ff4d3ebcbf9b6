// X for the registry: one API client shared by the connector and the publisher. Settings and
// timing are handed in, so tests point it at a fake.
import { z } from 'zod';
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import type { NetworkDescriptor, NetworkStore } from '../network.js';
import { XApi } from './api.js';
import { checkXPost } from './checks.js';
import { DEFAULT_X_TIMING, xConfig, type XSettings, type XTiming } from './config.js';
import { X_ID, XConnector } from './connector.js';
import { X_INSIGHT_SCOPES, XInsights } from './insights.js';
import { XPostCap } from './post-cap.js';
import { XPublisher } from './publisher.js';
import { X_MAX_WEIGHT } from './text.js';

export function xPlatform(deps: {
  settings: XSettings;
  log: Logger;
  clock: Clock;
  timing?: Partial<XTiming>;
  store?: NetworkStore;
}): { connector: XConnector; publisher: XPublisher; cap: XPostCap; insights: XInsights | null } {
  const timing = { ...DEFAULT_X_TIMING, ...deps.timing };
  const log = moduleLogger(deps.log, 'x');
  const api = new XApi(deps.settings, { log, clock: deps.clock, requestTimeoutMs: timing.requestTimeoutMs });
  const connector = new XConnector(deps.settings, api, log, () => deps.clock.now());
  const cap = new XPostCap(deps.settings.monthlyPostCap, deps.store, () => deps.clock.now());
  // Results only with a read budget: X bills every post read (docs/platforms/x.md#results).
  const reads = deps.settings.resultsMonthlyReads ?? 0;
  const insights = reads > 0 ? new XInsights(api, reads, deps.store, () => deps.clock.now()) : null;
  return { connector, publisher: new XPublisher(api, connector, timing, deps.clock, cap), cap, insights };
}

/** One X account per authorization: posts with images or a video, and threads. */
export const x: NetworkDescriptor<XSettings, 'x'> = {
  id: X_ID,
  label: 'X',
  description: 'Your X account, to publish posts with images or a video, and threads.',
  connect: { oauth: { consoleName: 'Callback URI / Redirect URL' } },
  config: xConfig,
  setup: 'set X_CLIENT_ID and X_CLIENT_SECRET (see the README, "Connecting X")',
  platforms: [
    {
      id: X_ID,
      label: 'X',
      // What the editor counts; the weighted count (links 23, emoji and CJK 2) is checkXPost's.
      limits: { characters: 280, hashtags: null, mentions: null, countsUtf16: false },
      media: { images: true, videos: true },
      postOptions: {
        fields: [
          {
            name: 'thread',
            label: 'Split into a thread',
            kind: 'select',
            choices: [
              ['no', 'No: one post'],
              ['yes', 'Yes: a long text becomes a thread of replies'],
            ],
          },
        ],
        schema: z.object({ thread: z.enum(['no', 'yes']).default('no') }).strict(),
      },
      check: (caption, media, _config, options) => checkXPost(caption, media, options.thread === 'yes'),
      ai: {
        style:
          'X post: short and direct, one idea, a hook in the first words; at most one or two hashtags; ' +
          'links cost characters.',
        hashtags: 1,
        image: { width: 1200, height: 1200, aspect: '1:1' },
        needsImage: false,
      },
      insights: { scopes: X_INSIGHT_SCOPES },
      // A reply from the same account, counted in the monthly post cap (docs/platforms/x.md#first-comments).
      firstComment: {
        maxLength: X_MAX_WEIGHT,
        scopes: [
          { scope: 'tweet.write', why: 'the first comment, a reply to the post from the same account' },
          { scope: 'tweet.read', why: 'finding that reply among the account’s posts when its answer was lost' },
        ],
      },
    },
  ],
  create: ({ config, log, clock, options, store }) => {
    const { connector, publisher, cap, insights } = xPlatform({
      settings: config,
      log,
      clock: clock ?? systemClock,
      ...(options ? { timing: options as Partial<XTiming> } : {}),
      ...(store ? { store } : {}),
    });
    return {
      connector,
      publishers: [publisher],
      usage: () => [...cap.usage(), ...(insights ? [insights.usageLine()] : [])],
      ...(insights ? { insights: [insights] } : {}),
    };
  },
};
