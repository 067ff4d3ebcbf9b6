import { PlatformError } from '../types.js';
import type { Clock } from '../../lib/clock.js';
import { sha256 } from '../../lib/crypto.js';
import { RateLimiter, RateLimitExceeded } from '../../lib/rate-limiter.js';

/** The rate-limited Content Posting endpoints. */
export type Endpoint = 'creatorInfo' | 'videoInit' | 'contentInit' | 'status';

/** Requests per minute per access token (docs/platforms/tiktok.md#rate-limits). */
export const TIKTOK_RATE_LIMITS: Readonly<Record<Endpoint, number>> = {
  creatorInfo: 20,
  videoInit: 6,
  contentInit: 6,
  status: 30,
};

const LABELS: Record<Endpoint, string> = {
  creatorInfo: 'creator-info requests',
  videoInit: 'video posts',
  contentInit: 'photo posts',
  status: 'status checks',
};

export interface RateBudgetOptions {
  /** How long a caller may wait for a free slot before being told to come back later. */
  readonly maxWaitMs: number;
  readonly limits?: Readonly<Record<Endpoint, number>>;
  readonly clock?: Clock;
}

/**
 * A sliding one-minute window per access token and endpoint, so Herald stays under TikTok's
 * limits instead of collecting 429s (docs/architecture.md#pacing). Tokens are kept only as a
 * hash. A caller waits for a slot up to `maxWaitMs`, else gets a rate_limited error saying when
 * the next slot frees.
 */
export class RateBudget {
  private readonly limiters: Record<Endpoint, RateLimiter>;
  private readonly limits: Readonly<Record<Endpoint, number>>;

  constructor(options: RateBudgetOptions) {
    const limits = (this.limits = options.limits ?? TIKTOK_RATE_LIMITS);
    const clock = options.clock ? { clock: options.clock } : {};
    const limiter = (limit: number) =>
      new RateLimiter({ limit, windowMs: 60_000, maxWaitMs: options.maxWaitMs, ...clock });
    this.limiters = {
      creatorInfo: limiter(limits.creatorInfo),
      videoInit: limiter(limits.videoInit),
      contentInit: limiter(limits.contentInit),
      status: limiter(limits.status),
    };
  }

  async take(token: string, endpoint: Endpoint, signal?: AbortSignal): Promise<void> {
    try {
      await this.limiters[endpoint].acquire(sha256(token), signal);
    } catch (err) {
      if (!(err instanceof RateLimitExceeded)) throw err;
      const limit = `${this.limits[endpoint]} ${LABELS[endpoint]} per minute`;
      const message = `Herald keeps to TikTok's limit of ${limit} for this account; trying again shortly.`;
      throw new PlatformError('rate_limited', message, 'local_rate_limit', {
        retryAfterMs: err.retryAfterMs,
        scope: 'account',
      });
    }
  }
}
