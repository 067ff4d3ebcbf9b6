// How Herald talks to instances, as constructor options so tests point it at a fake instance.

export interface MastodonSettings {
  /**
   * Hosts or addresses in private or loopback ranges that may be called (a test instance); such a
   * host may also be reached over plain HTTP. Every other instance must be public and HTTPS.
   */
  readonly privateHosts: readonly string[];
  /** Per HTTP request. */
  readonly requestTimeoutMs: number;
  /** How often an uploaded file's processing is asked about, and how long one attempt waits for it. */
  readonly mediaPollIntervalMs: number;
  readonly mediaWaitMs: number;
  /**
   * How long after the create call a lookup re-sends it with the same Idempotency-Key: Mastodon keeps
   * the key for an hour (docs/platforms/mastodon.md#idempotency); a margin is kept below that.
   */
  readonly idempotencyWindowMs: number;
}

export const DEFAULT_SETTINGS: MastodonSettings = {
  privateHosts: [],
  requestTimeoutMs: 30_000,
  mediaPollIntervalMs: 2_000,
  mediaWaitMs: 10 * 60_000,
  idempotencyWindowMs: 50 * 60_000,
};
