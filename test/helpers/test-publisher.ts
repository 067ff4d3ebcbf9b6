import { parseRetryAfter } from '../../src/lib/backoff.js';
import {
  PlatformError,
  type AttemptContext,
  type LookupResult,
  type Publisher,
  type PublishResult,
} from '../../src/platforms/types.js';

/**
 * A Publisher for engine tests that talks real HTTP to a FakePlatform, mapping its answers the
 * way the vendor publishers do: 429 → rate_limited, 401 → auth, 400 → permanent, and anything
 * unclear once the publish call has left → unknown_outcome.
 */
export class TestPublisher implements Publisher {
  readonly platform = 'facebook' as const;
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 2000,
    /** Benchmarks skip the pre-send call so each post costs one platform request. */
    private readonly prepareCall = true,
  ) {}

  private async call(ctx: AttemptContext, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(this.timeoutMs)]),
    });
  }

  private refuse(res: Response, sent: boolean): PlatformError {
    if (res.status === 429)
      return new PlatformError('rate_limited', 'The platform asked us to slow down.', '429', {
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) ?? 60_000,
      });
    if (res.status === 401) return new PlatformError('auth', 'The access token was revoked.', '401');
    if (res.status >= 500)
      return new PlatformError(
        sent ? 'unknown_outcome' : 'transient',
        `The platform answered ${res.status}.`,
        String(res.status),
      );
    return new PlatformError('permanent', `The platform refused the post (${res.status}).`, String(res.status));
  }

  async prepare(ctx: AttemptContext): Promise<void> {
    if (!this.prepareCall) return;
    let res: Response;
    try {
      res = await this.call(ctx, 'POST', '/prepare', { key: ctx.postId });
    } catch (err) {
      throw new PlatformError('transient', `The platform could not be reached (${(err as Error).name}).`, 'network');
    }
    if (!res.ok) throw this.refuse(res, false);
    ctx.save({ step: 'prepared' });
  }

  async send(ctx: AttemptContext): Promise<void> {
    const started = Date.now();
    const res = await this.call(ctx, 'POST', '/publish', { key: ctx.postId, text: ctx.caption });
    if (!res.ok) throw this.refuse(res, true);
    const { id } = (await res.json()) as { id: string };
    ctx.save({ step: 'sent', externalId: id });
    ctx.log({
      step: 'send',
      message: `Accepted as ${id}.`,
      request: 'POST /publish',
      durationMs: Date.now() - started,
    });
  }

  async confirm(ctx: AttemptContext): Promise<PublishResult> {
    const id = String(ctx.state.externalId);
    return { externalId: id, permalink: `https://platform.test/${id}` };
  }

  async lookup(ctx: AttemptContext): Promise<LookupResult> {
    const res = await this.call(ctx, 'GET', `/posts?key=${encodeURIComponent(ctx.postId)}`);
    if (!res.ok) return { status: 'unknown', reason: `lookup answered ${res.status}` };
    const { data } = (await res.json()) as { data: Array<{ id: string }> };
    const found = data[0];
    return found
      ? { status: 'published', externalId: found.id, permalink: `https://platform.test/${found.id}` }
      : { status: 'absent', reason: 'no post with this key' };
  }
}
