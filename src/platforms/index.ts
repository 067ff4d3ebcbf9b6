import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Connector, Publisher } from './types.js';

/**
 * The vendors this server is configured for: their OAuth connectors and their publishers.
 * A vendor without credentials contributes nothing; the pages then say what to set.
 */
export function createPlatforms(deps: { config: Config; log: Logger }): { connectors: Connector[]; publishers: Publisher[] } {
  void deps;
  return { connectors: [], publishers: [] };
}
