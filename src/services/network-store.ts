// Each network's small key-value storage (docs/adding-a-network.md#storage): rows of the settings
// table named `network:<id>:<key>`, every value sealed with the SecretBox and bound to its key.
import type { Repos } from '../db/repos/index.js';
import type { Clock } from '../lib/clock.js';
import type { SecretBox } from '../lib/crypto.js';
import type { NetworkStore } from '../platforms/network.js';

export function networkStore(repos: Repos, box: SecretBox, clock: Clock, networkId: string): NetworkStore {
  const name = (key: string) => `network:${networkId}:${key}`;
  return {
    get(key) {
      const sealed = repos.system.getSetting(name(key));
      return sealed === undefined ? null : box.decrypt(sealed, `settings:${name(key)}`);
    },
    put(key, value) {
      repos.system.putSetting(name(key), box.encrypt(value, `settings:${name(key)}`), clock.now());
    },
    delete(key) {
      repos.system.deleteSetting(name(key));
    },
  };
}
