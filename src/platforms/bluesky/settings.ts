// Where Herald finds the AT Protocol's shared services, as constructor options so tests point them at
// a fake (docs/platforms/bluesky.md#identity).

export interface BlueskySettings {
  /**
   * A service that answers `com.atproto.identity.resolveHandle` (any PDS or the public AppView):
   * BLUESKY_SERVICE_URL.
   */
  readonly handleResolverUrl: string;
  /** The did:plc directory. */
  readonly plcDirectoryUrl: string;
  /**
   * Hosts (`host:port`) that may be reached over plain HTTP: a PDS, did:web host or link-card page on
   * a local test server. Everything else must be HTTPS, as the DID document's PDS endpoint is.
   */
  readonly insecureHosts: readonly string[];
  /** Per HTTP request. */
  readonly requestTimeoutMs: number;
  /**
   * The largest image blob Herald uploads. The lexicon allows 2,000,000 bytes since 2026, but other
   * PDSes and AppViews, and Bluesky's own docs, still say 1,000,000 (docs/platforms/bluesky.md#images).
   */
  readonly imageMaxBytes: number;
  /** Bluesky's video service (BLUESKY_VIDEO_URL); its DID is `did:web:<its host>` (docs/platforms/bluesky.md#video). */
  readonly videoServiceUrl: string;
  /** How often a video's processing job is asked about, and how long one attempt waits for it. */
  readonly videoPollIntervalMs: number;
  readonly videoWaitMs: number;
}

export const DEFAULT_SETTINGS: BlueskySettings = {
  handleResolverUrl: 'https://bsky.social',
  plcDirectoryUrl: 'https://plc.directory',
  insecureHosts: [],
  requestTimeoutMs: 30_000,
  imageMaxBytes: 1_000_000,
  videoServiceUrl: 'https://video.bsky.app',
  videoPollIntervalMs: 2_000,
  videoWaitMs: 10 * 60_000,
};

/** An http(s) URL Herald may call: HTTPS, or HTTP to a host the settings allow. */
export function allowedUrl(settings: BlueskySettings, value: string): URL | null {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && settings.insecureHosts.includes(url.host)) return url;
  return null;
}
