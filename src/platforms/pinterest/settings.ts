// What the Pinterest module needs to run: the settings config.ts reads from the environment (base
// URLs are settings so tests point them at a fake), and timing, which tests shorten.

export interface PinterestSettings {
  readonly appId: string | null;
  readonly appSecret: string | null;
  /** The consent page (docs/platforms/pinterest.md#oauth). */
  readonly authorizeUrl: string;
  /** The API base with its version; trial apps use the sandbox (docs/platforms/pinterest.md#sandbox). */
  readonly apiUrl: string;
}

export const DEFAULT_PINTEREST_SETTINGS: Omit<PinterestSettings, 'appId' | 'appSecret'> = {
  authorizeUrl: 'https://www.pinterest.com/oauth/',
  apiUrl: 'https://api.pinterest.com/v5',
};

/** Timing, with production values as defaults; tests shorten them. */
export interface PinterestTiming {
  readonly requestTimeoutMs: number;
  /** Between video status polls (docs/platforms/pinterest.md#video-pins). */
  readonly pollIntervalMs: number;
  readonly pollTimeoutMs: number;
  /** Upload of a video file to the storage URL Pinterest gives. */
  readonly uploadTimeoutMs: number;
  /**
   * After a lost create, how long a pin missing from the board's list may still appear before its
   * absence counts as proof (docs/platforms/pinterest.md#lookup-after-a-lost-response).
   */
  readonly lookupSettleMs: number;
}

export const DEFAULT_PINTEREST_TIMING: PinterestTiming = {
  requestTimeoutMs: 30_000,
  pollIntervalMs: 10_000,
  pollTimeoutMs: 10 * 60_000,
  uploadTimeoutMs: 10 * 60_000,
  lookupSettleMs: 2 * 60_000,
};
