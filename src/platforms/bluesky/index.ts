// Bluesky for the composition root: the connector (a form with a handle and an app password) and the
// publisher, on one set of settings. See docs/platforms/bluesky.md#wiring.
import { systemClock, type Clock } from '../../lib/clock.js';
import { moduleLogger, type Logger } from '../../log.js';
import { BlueskyConnector } from './connector.js';
import { BlueskyPublisher, type BlueskyPublisherDeps } from './publisher.js';
import { DEFAULT_SETTINGS, type BlueskySettings } from './settings.js';

export { APP_PASSWORD_HELP, APP_PASSWORDS_URL, BlueskyConnector } from './connector.js';
export type { BlueskyConnectedAccount, BlueskyFormInput } from './connector.js';
export { BLUESKY_LIMITS, BlueskyPublisher } from './publisher.js';
export { graphemeLength } from './facets.js';
export { DEFAULT_SETTINGS, type BlueskySettings } from './settings.js';

export function blueskyPlatform(deps: {
  log: Logger;
  clock?: Clock;
  settings?: Partial<BlueskySettings>;
  onSessionRenewed?: BlueskyPublisherDeps['onSessionRenewed'];
}): { connector: BlueskyConnector; publisher: BlueskyPublisher } {
  const settings: BlueskySettings = { ...DEFAULT_SETTINGS, ...deps.settings };
  const clock = deps.clock ?? systemClock;
  const connector = new BlueskyConnector(settings, moduleLogger(deps.log, 'bluesky'), clock);
  const publisher = new BlueskyPublisher({
    settings,
    connector,
    clock,
    ...(deps.onSessionRenewed ? { onSessionRenewed: deps.onSessionRenewed } : {}),
  });
  return { connector, publisher };
}
