// TikTok's environment variables (README, "Connecting TikTok"); src/config.ts reads them.
import { bool, nonEmpty, url } from '../../lib/env-schemas.js';
import { NetworkConfigError, type NetworkConfig } from '../network.js';

export interface TikTokConfig {
  readonly clientKey: string | null;
  readonly clientSecret: string | null;
  readonly apiUrl: string;
  readonly authUrl: string;
  /** Until TikTok audits the app every post is private (docs/platforms/tiktok.md). */
  readonly audited: boolean;
  /** Photo posts are pulled from this verified domain or URL prefix; null: videos only. */
  readonly verifiedUrlPrefix: string | null;
}

export const tiktokConfig: NetworkConfig<TikTokConfig> = {
  env: {
    TIKTOK_CLIENT_KEY: nonEmpty.optional(),
    TIKTOK_CLIENT_SECRET: nonEmpty.optional(),
    TIKTOK_API_URL: url.optional(),
    TIKTOK_AUTH_URL: url.optional(),
    TIKTOK_AUDITED: bool.optional(),
    TIKTOK_VERIFIED_URL_PREFIX: nonEmpty.optional(),
  },
  read(e) {
    const key = e.TIKTOK_CLIENT_KEY as string | undefined;
    const secret = e.TIKTOK_CLIENT_SECRET as string | undefined;
    if ((key === undefined) !== (secret === undefined))
      throw new NetworkConfigError(
        key ? 'TIKTOK_CLIENT_SECRET' : 'TIKTOK_CLIENT_KEY',
        'TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET must be set together',
      );
    const prefix = e.TIKTOK_VERIFIED_URL_PREFIX as string | undefined;
    if (prefix !== undefined && !/^https?:\/\//.test(prefix) && !/^[a-z0-9.-]+$/i.test(prefix))
      throw new NetworkConfigError(
        'TIKTOK_VERIFIED_URL_PREFIX',
        'must be a domain (media.example.com) or a URL prefix (https://media.example.com/herald/)',
      );
    return {
      clientKey: key ?? null,
      clientSecret: secret ?? null,
      apiUrl: (e.TIKTOK_API_URL as string | undefined) ?? 'https://open.tiktokapis.com',
      authUrl: (e.TIKTOK_AUTH_URL as string | undefined) ?? 'https://www.tiktok.com/v2/auth/authorize/',
      audited: (e.TIKTOK_AUDITED as boolean | undefined) ?? false,
      verifiedUrlPrefix: prefix ?? null,
    };
  },
  configured: (c) => Boolean(c.clientKey && c.clientSecret),
  summary: (c) => (c.audited ? 'audited app' : 'unaudited app: posts are private'),
};
