// What the Threads module needs to run: the settings config.ts reads from the environment (base
// URLs are settings so tests point them at a fake), and timing, which tests shorten.

export interface ThreadsSettings {
  /** The *Threads* app id of the Meta app, not its Facebook app id (docs/platforms/threads.md#the-meta-app). */
  readonly appId: string | null;
  readonly appSecret: string | null;
  /** The consent window (docs/platforms/threads.md#authorization-window). */
  readonly authorizeUrl: string;
  /** The API host without a version: token endpoints have none (docs/platforms/threads.md#hosts). */
  readonly graphUrl: string;
  /** The version path of Graph calls. */
  readonly apiVersion: string;
}

export const DEFAULT_THREADS_SETTINGS: Omit<ThreadsSettings, 'appId' | 'appSecret'> = {
  authorizeUrl: 'https://threads.com/oauth/authorize',
  graphUrl: 'https://graph.threads.net',
  apiVersion: 'v1.0',
};

/** Timing, with production values as defaults; tests shorten them. */
export interface ThreadsTiming {
  /** Per HTTP request. */
  readonly requestTimeoutMs: number;
  /** Between container status polls (docs/platforms/threads.md#waiting-for-the-container). */
  readonly pollIntervalMs: number;
  /** Give up waiting for a container (transient: the next attempt reuses it once finished). */
  readonly pollTimeoutMs: number;
  /**
   * After a lost publish, how long a container that still reads FINISHED may yet flip to
   * PUBLISHED before it counts as proof of absence (docs/platforms/threads.md#lookup-after-a-lost-response).
   */
  readonly publishSettleMs: number;
}

export const DEFAULT_THREADS_TIMING: ThreadsTiming = {
  requestTimeoutMs: 30_000,
  pollIntervalMs: 10_000,
  pollTimeoutMs: 5 * 60_000,
  publishSettleMs: 2 * 60_000,
};
