// Calls to one Mastodon instance through Herald's vendor HTTP client, and its answers turned into
// PlatformErrors in plain words (docs/platforms/mastodon.md#errors, #rate-limits).
import { httpRequest, NetworkError, type HttpRequest, type HttpResponse } from '../http.js';
import { PlatformError } from '../types.js';

/** When a 429 carries no usable `X-RateLimit-Reset`. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 5 * 60_000;

/** An answer that is not a success: its status, headers and the instance's `error` text. */
export class MastodonFailure extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly vendorMessage: string,
  ) {
    super(`Mastodon answered ${status}${vendorMessage ? `: ${vendorMessage}` : ''}`);
    this.name = 'MastodonFailure';
  }
}

/** The request budget an answer reported (X-RateLimit-Remaining and X-RateLimit-Reset, an ISO time). */
export interface RateBudget {
  readonly remaining: number | null;
  readonly resetAt: number | null;
}

export function budgetOf(headers: Headers): RateBudget {
  const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
  const reset = Date.parse(headers.get('x-ratelimit-reset') ?? '');
  return {
    remaining: Number.isFinite(remaining) ? remaining : null,
    resetAt: Number.isFinite(reset) ? reset : null,
  };
}

export async function mastodonCall(
  origin: string,
  path: string,
  request: Omit<HttpRequest, 'timeoutMs'> & { token?: string; timeoutMs: number },
): Promise<HttpResponse> {
  const { token, ...rest } = request;
  const res = await httpRequest(`${origin}${path}`, {
    ...rest,
    headers: { ...rest.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  if (res.status >= 200 && res.status < 300) return res;
  const body = res.json as { error?: unknown; error_description?: unknown } | null;
  const text = typeof body?.error_description === 'string' ? body.error_description : body?.error;
  throw new MastodonFailure(res.status, res.headers, typeof text === 'string' ? text : '');
}

function withVendorText(words: string, vendor: string): string {
  return vendor.trim() ? `${words} (the instance said: ${vendor.trim()})` : words;
}

/**
 * Maps one failed call. `sent` is true for the call that publishes (POST /api/v1/statuses): there a
 * 5xx or a lost answer may have taken effect, so it is an unknown outcome rather than "try again".
 */
export function mastodonError(err: unknown, options: { sent: boolean; now: number }): PlatformError {
  if (err instanceof PlatformError) return err;
  if (err instanceof NetworkError) {
    const what =
      err.phase === 'timeout' ? 'The Mastodon instance did not answer in time' : `The instance could not be reached`;
    const neverLeft = err.phase === 'connection' && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/.test(err.message);
    return options.sent && !neverLeft
      ? new PlatformError('unknown_outcome', `${what}; the post may have gone out.`, `network_${err.phase}`)
      : new PlatformError('transient', `${what}.`, `network_${err.phase}`);
  }
  if (!(err instanceof MastodonFailure))
    return new PlatformError(options.sent ? 'unknown_outcome' : 'transient', `Mastodon call failed: ${String(err)}`);
  const code = `http_${err.status}`;
  if (err.status === 429) {
    const { resetAt } = budgetOf(err.headers);
    const retryAfterMs = resetAt !== null ? Math.max(1_000, resetAt - options.now) : DEFAULT_RATE_LIMIT_WAIT_MS;
    return new PlatformError('rate_limited', 'The Mastodon instance asked Herald to slow down (rate limit).', code, {
      retryAfterMs,
      scope: 'account',
    });
  }
  if (err.status === 401)
    return new PlatformError(
      'auth',
      withVendorText(
        'The instance no longer accepts Herald’s access (it was revoked); reconnect the account.',
        err.vendorMessage,
      ),
      code,
    );
  if (err.status >= 500)
    return options.sent
      ? new PlatformError(
          'unknown_outcome',
          withVendorText('The instance failed while taking the post; it may have gone out.', err.vendorMessage),
          code,
        )
      : new PlatformError(
          'transient',
          withVendorText('The instance had a server error; nothing was posted.', err.vendorMessage),
          code,
        );
  if (err.status === 403)
    return new PlatformError(
      'permanent',
      withVendorText('The instance does not allow this account to do that (suspended or limited?).', err.vendorMessage),
      code,
    );
  if (err.status === 422)
    return new PlatformError('permanent', withVendorText('The instance refused the post.', err.vendorMessage), code);
  return new PlatformError('permanent', withVendorText('The instance refused the request.', err.vendorMessage), code);
}
