// Meta's environment variables (README, "Connecting Facebook and Instagram"); src/config.ts reads them.
import { nonEmpty, url } from '../../lib/env-schemas.js';
import { NetworkConfigError, type NetworkConfig } from '../network.js';

export interface MetaConfig {
  readonly appId: string | null;
  readonly appSecret: string | null;
  /** Version included (docs/platforms/meta.md#versions-and-base-urls). */
  readonly graphUrl: string;
  readonly dialogUrl: string;
}

export const metaConfig: NetworkConfig<MetaConfig> = {
  env: {
    META_APP_ID: nonEmpty.optional(),
    META_APP_SECRET: nonEmpty.optional(),
    META_GRAPH_URL: url.optional(),
    META_DIALOG_URL: url.optional(),
  },
  read(e) {
    const [id, secret] = [e.META_APP_ID as string | undefined, e.META_APP_SECRET as string | undefined];
    if ((id === undefined) !== (secret === undefined))
      throw new NetworkConfigError(
        id ? 'META_APP_SECRET' : 'META_APP_ID',
        'META_APP_ID and META_APP_SECRET must be set together',
      );
    return {
      appId: id ?? null,
      appSecret: secret ?? null,
      graphUrl: (e.META_GRAPH_URL as string | undefined) ?? 'https://graph.facebook.com/v25.0',
      dialogUrl: (e.META_DIALOG_URL as string | undefined) ?? 'https://www.facebook.com/v25.0/dialog/oauth',
    };
  },
  configured: (c) => Boolean(c.appId && c.appSecret),
  summary: (c) => c.graphUrl,
};
