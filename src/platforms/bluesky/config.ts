// Bluesky's environment variables (README, "Connecting Bluesky"); src/config.ts reads them. Bluesky
// needs no developer app: each account signs in with its own app password, so there is nothing an
// admin must set and the network is always offered (docs/platforms/bluesky.md#app-passwords).
import { url } from '../../lib/env-schemas.js';
import type { NetworkConfig } from '../network.js';

export interface BlueskyConfig {
  /**
   * Where handles are resolved (`com.atproto.identity.resolveHandle`) before the account's own PDS
   * is known; posts always go to the PDS its DID document names (docs/platforms/bluesky.md#identity).
   */
  readonly serviceUrl: string;
  /** The did:plc directory. */
  readonly plcUrl: string;
  /** Bluesky's video service, where videos are processed before a post names them (docs/platforms/bluesky.md#video). */
  readonly videoUrl: string;
}

export const blueskyConfig: NetworkConfig<BlueskyConfig> = {
  env: {
    BLUESKY_SERVICE_URL: url.optional(),
    BLUESKY_PLC_URL: url.optional(),
    BLUESKY_VIDEO_URL: url.optional(),
  },
  read: (e) => ({
    serviceUrl: (e.BLUESKY_SERVICE_URL as string | undefined) ?? 'https://bsky.social',
    plcUrl: (e.BLUESKY_PLC_URL as string | undefined) ?? 'https://plc.directory',
    videoUrl: (e.BLUESKY_VIDEO_URL as string | undefined) ?? 'https://video.bsky.app',
  }),
  configured: () => true,
  summary: (c) => `handles resolved at ${c.serviceUrl}`,
};
