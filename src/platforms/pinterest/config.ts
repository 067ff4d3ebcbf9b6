// Pinterest's environment variables (README, "Connecting Pinterest"); src/config.ts reads them.
import { nonEmpty, url } from '../../lib/env-schemas.js';
import { NetworkConfigError, type NetworkConfig } from '../network.js';
import { DEFAULT_PINTEREST_SETTINGS, type PinterestSettings } from './settings.js';

export const pinterestConfig: NetworkConfig<PinterestSettings> = {
  env: {
    PINTEREST_APP_ID: nonEmpty.optional(),
    PINTEREST_APP_SECRET: nonEmpty.optional(),
    PINTEREST_AUTH_URL: url.optional(),
    // Trial apps: https://api-sandbox.pinterest.com/v5 (docs/platforms/pinterest.md#sandbox).
    PINTEREST_API_URL: url.optional(),
  },
  read(e) {
    const [id, secret] = [e.PINTEREST_APP_ID as string | undefined, e.PINTEREST_APP_SECRET as string | undefined];
    if ((id === undefined) !== (secret === undefined))
      throw new NetworkConfigError(
        id ? 'PINTEREST_APP_SECRET' : 'PINTEREST_APP_ID',
        'PINTEREST_APP_ID and PINTEREST_APP_SECRET must be set together',
      );
    const apiUrl = (e.PINTEREST_API_URL as string | undefined)?.replace(/\/+$/, '');
    if (apiUrl !== undefined && !/\/v5$/.test(apiUrl))
      throw new NetworkConfigError(
        'PINTEREST_API_URL',
        'must end in /v5 (https://api.pinterest.com/v5, or https://api-sandbox.pinterest.com/v5 for trial apps)',
      );
    return {
      appId: id ?? null,
      appSecret: secret ?? null,
      authorizeUrl: (e.PINTEREST_AUTH_URL as string | undefined) ?? DEFAULT_PINTEREST_SETTINGS.authorizeUrl,
      apiUrl: apiUrl ?? DEFAULT_PINTEREST_SETTINGS.apiUrl,
    };
  },
  configured: (c) => Boolean(c.appId && c.appSecret),
  summary: (c) => c.apiUrl,
};
