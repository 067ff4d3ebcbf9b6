import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Repos } from '../db/repos/index.js';
import type { Clock } from '../lib/clock.js';
import type { SecretBox } from '../lib/crypto.js';
import type { Logger } from '../log.js';
import type { Networks } from '../platforms/registry.js';

/** What every use-case may reach; built once in main.ts (or the test harness). */
export interface ServiceDeps {
  readonly config: Config;
  readonly database: Database;
  readonly repos: Repos;
  readonly clock: Clock;
  readonly log: Logger;
  readonly box: SecretBox;
  /** The networks this server reaches (src/platforms/registry.ts): their limits, labels and connectors. */
  readonly networks: Networks;
}
