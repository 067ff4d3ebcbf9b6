// Threads for the composition root: one API client (and its rate-limit pauses) shared by the
// connector and the publisher. Settings and timing are handed in, so tests point it at a fake.
import type { Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import { ThreadsApi } from './api.js';
import { ThreadsConnector } from './connector.js';
import { ThreadsPublisher } from './publisher.js';
import { DEFAULT_THREADS_TIMING, type ThreadsSettings, type ThreadsTiming } from './settings.js';

export { ThreadsApi } from './api.js';
export { THREADS_SCOPES, ThreadsConnector } from './connector.js';
export { ThreadsPublisher } from './publisher.js';
export { checkThreadsPost } from './checks.js';
export { mapThreadsError } from './errors.js';
export { THREADS_WRITING } from './writing.js';
export { THREADS_LIMITS, threadsLinkCount, threadsTextLength } from './limits.js';
export {
  DEFAULT_THREADS_SETTINGS,
  DEFAULT_THREADS_TIMING,
  type ThreadsSettings,
  type ThreadsTiming,
} from './settings.js';

export function threadsPlatform(deps: {
  settings: ThreadsSettings;
  log: Logger;
  clock: Clock;
  timing?: Partial<ThreadsTiming>;
}): { connector: ThreadsConnector; publisher: ThreadsPublisher } {
  const timing = { ...DEFAULT_THREADS_TIMING, ...deps.timing };
  const log = moduleLogger(deps.log, 'threads');
  const api = new ThreadsApi(deps.settings, { log, clock: deps.clock, requestTimeoutMs: timing.requestTimeoutMs });
  return {
    connector: new ThreadsConnector(deps.settings, api, log, () => deps.clock.now()),
    publisher: new ThreadsPublisher(api, timing, deps.clock),
  };
}
