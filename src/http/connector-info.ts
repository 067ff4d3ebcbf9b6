import type { ConnectForm } from '../platforms/network.js';
import type { AppDeps } from './context.js';

/** What the pages show for one way of connecting accounts, whether or not this server has it set up. */
export interface ConnectChoice {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** A connector exists only when the network's credentials are configured (or a test supplies one). */
  readonly configured: boolean;
  /** What an admin must set, from the network's descriptor. */
  readonly setup: string;
  readonly oauth: boolean;
  readonly form: ConnectForm | null;
  /** One of the connection's further OAuth buttons (`?entry=` on the start URL), or null for its main one. */
  readonly entry: string | null;
}

/** Every registered network, in the registry's order, as the portal and the client page offer it. */
export function connectChoices(deps: Pick<AppDeps, 'networks' | 'connectors'>): ConnectChoice[] {
  return deps.networks.list.flatMap(({ descriptor }) => {
    const main: ConnectChoice = {
      id: descriptor.id,
      label: descriptor.label,
      description: descriptor.description,
      configured: deps.connectors.some((x) => x.id === descriptor.id),
      setup: descriptor.setup,
      oauth: descriptor.connect.oauth !== undefined,
      form: descriptor.connect.form ?? null,
      entry: null,
    };
    const more = (descriptor.connect.oauth?.entries ?? []).map((e) => ({
      ...main,
      label: e.label,
      description: e.description,
      oauth: true,
      form: null,
      entry: e.key,
    }));
    return [main, ...more];
  });
}
