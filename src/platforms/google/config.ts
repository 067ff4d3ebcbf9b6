// Google's environment variables (README, "Connecting Google Business Profile"); src/config.ts reads
// them. The API hosts are settable so tests can point every one at a fake
// (docs/platforms/google-business.md#hosts).
import { nonEmpty, url } from '../../lib/env-schemas.js';
import { NetworkConfigError, type NetworkConfig } from '../network.js';
import { GOOGLE_DEFAULTS, googleSettings, type GoogleSettings } from './settings.js';

export const googleConfig: NetworkConfig<GoogleSettings> = {
  env: {
    GOOGLE_CLIENT_ID: nonEmpty.optional(),
    GOOGLE_CLIENT_SECRET: nonEmpty.optional(),
    GOOGLE_AUTH_URL: url.optional(),
    GOOGLE_TOKEN_URL: url.optional(),
    GBP_ACCOUNTS_URL: url.optional(),
    GBP_INFO_URL: url.optional(),
    GBP_POSTS_URL: url.optional(),
    YOUTUBE_API_URL: url.optional(),
    YOUTUBE_ANALYTICS_URL: url.optional(),
    GBP_PERFORMANCE_URL: url.optional(),
  },
  read(e) {
    const id = e.GOOGLE_CLIENT_ID as string | undefined;
    const secret = e.GOOGLE_CLIENT_SECRET as string | undefined;
    if ((id === undefined) !== (secret === undefined))
      throw new NetworkConfigError(
        id ? 'GOOGLE_CLIENT_SECRET' : 'GOOGLE_CLIENT_ID',
        'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set together',
      );
    const or = (name: string, fallback: string) => (e[name] as string | undefined) ?? fallback;
    return googleSettings({
      clientId: id ?? null,
      clientSecret: secret ?? null,
      authUrl: or('GOOGLE_AUTH_URL', GOOGLE_DEFAULTS.authUrl),
      tokenUrl: or('GOOGLE_TOKEN_URL', GOOGLE_DEFAULTS.tokenUrl),
      accountManagementUrl: or('GBP_ACCOUNTS_URL', GOOGLE_DEFAULTS.accountManagementUrl),
      businessInformationUrl: or('GBP_INFO_URL', GOOGLE_DEFAULTS.businessInformationUrl),
      myBusinessUrl: or('GBP_POSTS_URL', GOOGLE_DEFAULTS.myBusinessUrl),
      youtubeUrl: or('YOUTUBE_API_URL', GOOGLE_DEFAULTS.youtubeUrl),
      youtubeAnalyticsUrl: or('YOUTUBE_ANALYTICS_URL', GOOGLE_DEFAULTS.youtubeAnalyticsUrl),
      performanceUrl: or('GBP_PERFORMANCE_URL', GOOGLE_DEFAULTS.performanceUrl),
    });
  },
  configured: (c) => Boolean(c.clientId && c.clientSecret),
  summary: (c) => `Business Profile (${c.myBusinessUrl}), YouTube (${c.youtubeUrl})`,
};
