// Mastodon's environment: none of its own. Any instance can be connected; Herald registers itself
// with each one the first time a client names it (docs/platforms/mastodon.md#apps). The only setting
// is which private or loopback hosts may be called at all (a test instance, an intranet one).
import type { NetworkConfig } from '../network.js';

export interface MastodonConfig {
  /** OUTBOUND_PRIVATE_HOSTS: hosts or addresses in private ranges Herald may call for an instance. */
  readonly privateHosts: readonly string[];
}

export const mastodonConfig: NetworkConfig<MastodonConfig> = {
  env: {},
  read: () => ({ privateHosts: [] }),
  configured: () => true,
  summary: (c) =>
    c.privateHosts.length ? `any public instance, and ${c.privateHosts.join(', ')}` : 'any public instance',
};
