// LinkedIn's environment variables (README, "Connecting LinkedIn"); src/config.ts reads them.
import { nonEmpty, url } from '../../lib/env-schemas.js';
import { NetworkConfigError, type NetworkConfig } from '../network.js';
import { linkedInSettings, type LinkedInSettings } from './settings.js';

export const linkedinConfig: NetworkConfig<LinkedInSettings> = {
  env: {
    LINKEDIN_CLIENT_ID: nonEmpty.optional(),
    LINKEDIN_CLIENT_SECRET: nonEmpty.optional(),
    LINKEDIN_AUTH_URL: url.optional(),
    LINKEDIN_API_URL: url.optional(),
    // `LinkedIn-Version` is a month, YYYYMM (docs/platforms/linkedin.md#versions).
    LINKEDIN_API_VERSION: nonEmpty.regex(/^20\d\d(0[1-9]|1[0-2])$/, 'must be a month as YYYYMM').optional(),
  },
  read(e) {
    const id = e.LINKEDIN_CLIENT_ID as string | undefined;
    const secret = e.LINKEDIN_CLIENT_SECRET as string | undefined;
    if ((id === undefined) !== (secret === undefined))
      throw new NetworkConfigError(
        id ? 'LINKEDIN_CLIENT_SECRET' : 'LINKEDIN_CLIENT_ID',
        'LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET must be set together',
      );
    return linkedInSettings({
      clientId: id ?? null,
      clientSecret: secret ?? null,
      ...(e.LINKEDIN_AUTH_URL ? { authUrl: e.LINKEDIN_AUTH_URL as string } : {}),
      ...(e.LINKEDIN_API_URL ? { apiUrl: e.LINKEDIN_API_URL as string } : {}),
      ...(e.LINKEDIN_API_VERSION ? { apiVersion: e.LINKEDIN_API_VERSION as string } : {}),
    });
  },
  configured: (c) => Boolean(c.clientId && c.clientSecret),
  summary: (c) => `${c.apiUrl} (LinkedIn-Version ${c.apiVersion})`,
};
