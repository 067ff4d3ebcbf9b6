// X's environment variables (README, "Connecting X"); src/config.ts reads them.
import { int, nonEmpty, url } from '../../lib/env-schemas.js';
import { NetworkConfigError, type NetworkConfig } from '../network.js';

export interface XSettings {
  readonly clientId: string | null;
  /** A confidential client ("Web App"): the token endpoint takes Basic auth (docs/platforms/x.md#oauth). */
  readonly clientSecret: string | null;
  /** The browser's consent page (docs/platforms/x.md#oauth). */
  readonly authorizeUrl: string;
  /** The API host; paths start with /2 (docs/platforms/x.md#hosts). */
  readonly apiUrl: string;
  /**
   * Posts a calendar month (UTC) the app's tier allows, counted by Herald and refused beyond it;
   * null: no cap (pay-per-use). docs/platforms/x.md#monthly-post-cap
   */
  readonly monthlyPostCap: number | null;
  /**
   * Posts (and profiles) a calendar month Herald may read for results; 0: results from X are off,
   * as X bills reads (docs/platforms/x.md#results).
   */
  readonly resultsMonthlyReads?: number;
}

export const DEFAULT_X_SETTINGS = {
  authorizeUrl: 'https://x.com/i/oauth2/authorize',
  apiUrl: 'https://api.x.com',
  /** The Free tier's monthly write cap (docs/platforms/x.md#monthly-post-cap). */
  monthlyPostCap: 500,
} as const;

/** Timing, production values by default; tests shorten them. */
export interface XTiming {
  readonly requestTimeoutMs: number;
  /** The longest wait for media processing before the attempt is tried again later. */
  readonly processingTimeoutMs: number;
  /** How long after a lost send the timeline may still lag before "not there" counts as absent. */
  readonly timelineLagMs: number;
}

export const DEFAULT_X_TIMING: XTiming = {
  requestTimeoutMs: 30_000,
  processingTimeoutMs: 10 * 60_000,
  timelineLagMs: 60_000,
};

export const xConfig: NetworkConfig<XSettings> = {
  env: {
    X_CLIENT_ID: nonEmpty.optional(),
    X_CLIENT_SECRET: nonEmpty.optional(),
    X_AUTH_URL: url.optional(),
    X_API_URL: url.optional(),
    // 0 switches the cap off (docs/platforms/x.md#monthly-post-cap).
    X_MONTHLY_POST_CAP: int(0, 10_000_000).optional(),
    // Off unless set: X bills each post read (docs/platforms/x.md#results).
    X_RESULTS_MONTHLY_READS: int(0, 10_000_000).optional(),
  },
  read(e) {
    const [id, secret] = [e.X_CLIENT_ID as string | undefined, e.X_CLIENT_SECRET as string | undefined];
    if ((id === undefined) !== (secret === undefined))
      throw new NetworkConfigError(
        id ? 'X_CLIENT_SECRET' : 'X_CLIENT_ID',
        'X_CLIENT_ID and X_CLIENT_SECRET must be set together',
      );
    const cap = e.X_MONTHLY_POST_CAP as number | undefined;
    return {
      clientId: id ?? null,
      clientSecret: secret ?? null,
      authorizeUrl: (e.X_AUTH_URL as string | undefined) ?? DEFAULT_X_SETTINGS.authorizeUrl,
      apiUrl: ((e.X_API_URL as string | undefined) ?? DEFAULT_X_SETTINGS.apiUrl).replace(/\/+$/, ''),
      monthlyPostCap: cap === undefined ? DEFAULT_X_SETTINGS.monthlyPostCap : cap === 0 ? null : cap,
      resultsMonthlyReads: (e.X_RESULTS_MONTHLY_READS as number | undefined) ?? 0,
    };
  },
  configured: (c) => Boolean(c.clientId && c.clientSecret),
  summary: (c) =>
    `${c.apiUrl}, ${c.monthlyPostCap === null ? 'no monthly post cap' : `at most ${c.monthlyPostCap} posts a month`}`,
};
