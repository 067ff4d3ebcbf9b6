import { PlatformError } from '../types.js';
import { sha256 } from '../../lib/crypto.js';
import { sleep } from '../../lib/sleep.js';

/** The rate-limited Content Posting endpoints. */
export type Endpoint = 'creatorInfo' | 'videoInit' | 'contentInit' | 'status';

/** Requests per minute per access token (docs/platforms/tiktok.md#rate-limits). */
export const TIKTOK_RATE_LIMITS: Readonly<Record<Endpoint, number>> = { creatorInfo: 20, videoInit: 6, contentInit: 6, status: 30 };

const LABELS: Record<Endpoint, string> = {
  creatorInfo: 'creator-info requests',
  videoInit: 'video posts',
  contentInit: 'photo posts',
  status: 'status checks',
};

const WINDOW_MS = 60_000;

export interface RateBudgetOptions {
  /** How long a caller may wait for a free slot before being told to come back later. */
  readonly maxWaitMs: number;
  readonly limits?: Readonly<Record<Endpoint, number>>;
  readonly now?: () => number;
}

/**
 * A sliding one-minute window per access token and endpoint, so Herald stays under TikTok's
 * limits instead of collecting 429s (docs/architecture.md#pacing). Tokens are kept only as a
 * hash. A caller waits for a slot up to `maxWaitMs`, else gets a rate_limited error saying when
 * the next slot frees.
 */
export class RateBudget {
  private readonly hits = new Map<string, number[]>();
  private readonly limits: Readonly<Record<Endpoint, number>>;
  private readonly now: () => number;

  constructor(private readonly options: RateBudgetOptions) {
    this.limits = options.limits ?? TIKTOK_RATE_LIMITS;
    this.now = options.now ?? Date.now;
  }

  async take(token: string, endpoint: Endpoint, signal?: AbortSignal): Promise<void> {
    const key = `${sha256(token)}|${endpoint}`;
    const limit = this.limits[endpoint];
    for (;;) {
      const now = this.now();
      const recent = (this.hits.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
      if (recent.length < limit) {
        recent.push(now);
        this.hits.set(key, recent);
        this.prune(now);
        return;
      }
      this.hits.set(key, recent);
      const wait = recent[0]! + WINDOW_MS - now + 1;
      if (wait > this.options.maxWaitMs) {
        throw new PlatformError('rate_limited', `Herald keeps to TikTok's limit of ${limit} ${LABELS[endpoint]} per minute for this account; trying again shortly.`, 'local_rate_limit', {
          retryAfterMs: wait,
          scope: 'account',
        });
      }
      await sleep(wait, signal);
    }
  }

  /** Forgets tokens that have not been used for a minute (refreshed or disconnected accounts). */
  private prune(now: number): void {
    if (this.hits.size < 256) return;
    for (const [key, times] of this.hits) if ((times.at(-1) ?? 0) <= now - WINDOW_MS) this.hits.delete(key);
  }
}
