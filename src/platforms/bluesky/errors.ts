// Bluesky's XRPC error names turned into PlatformErrors with words an admin can act on
// (docs/platforms/bluesky.md#errors, docs/platforms/bluesky.md#rate-limits).
import { NetworkError } from '../http.js';
import { PlatformError, type PlatformErrorKind } from '../types.js';
import { XrpcFailure } from './xrpc.js';

/** When a 429 carries no usable `ratelimit-reset`. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 5 * 60_000;

const AUTH_ERRORS: Record<string, string> = {
  ExpiredToken: 'The Bluesky session expired and could not be renewed; reconnect the account.',
  InvalidToken: 'Bluesky no longer accepts this session (the app password was revoked or the session ended).',
  AuthMissing: 'Bluesky asked for a sign-in Herald could not give; reconnect the account.',
  AuthenticationRequired:
    'Bluesky no longer accepts the sign-in (the app password was revoked or changed); reconnect the account.',
  AccountTakedown: 'Bluesky has taken this account down; its owner must resolve it with Bluesky.',
  AccountDeactivated: 'This Bluesky account is deactivated; its owner must reactivate it.',
  AccountSuspended: 'This Bluesky account is suspended; its owner must resolve it with Bluesky.',
};

/**
 * `ratelimit-reset` is a Unix time in seconds (docs/platforms/bluesky.md#rate-limits); the wait is
 * from `now` to then, at least a second.
 */
function retryAfterFrom(headers: Headers, now: number): number {
  const reset = Number(headers.get('ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(1_000, reset * 1000 - now);
  const after = Number(headers.get('retry-after'));
  if (Number.isFinite(after) && after >= 0) return Math.max(1_000, after * 1000);
  return DEFAULT_RATE_LIMIT_WAIT_MS;
}

function withVendorText(words: string, vendor: string): string {
  const detail = vendor.trim();
  return detail ? `${words} (Bluesky said: ${detail})` : words;
}

/**
 * Maps one failed call. `sent` is true for the call that publishes (putRecord): there a 5xx or a
 * lost answer may have taken effect, so it is an unknown outcome rather than "try again".
 */
export function blueskyError(err: unknown, options: { sent: boolean; now: number }): PlatformError {
  if (err instanceof PlatformError) return err;
  if (err instanceof NetworkError) {
    const what =
      err.phase === 'timeout' ? 'Bluesky did not answer in time' : `Bluesky could not be reached (${err.message})`;
    const neverLeft = err.phase === 'connection' && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/.test(err.message);
    return options.sent && !neverLeft
      ? new PlatformError('unknown_outcome', `${what}; the post may have gone out.`, `network_${err.phase}`)
      : new PlatformError('transient', `${what}.`, `network_${err.phase}`);
  }
  if (!(err instanceof XrpcFailure)) {
    return new PlatformError(options.sent ? 'unknown_outcome' : 'transient', `Bluesky call failed: ${String(err)}`);
  }
  const p = (kind: PlatformErrorKind, message: string, extra: { retryAfterMs?: number } = {}) =>
    new PlatformError(kind, message, err.error, { ...extra, scope: 'account' });
  if (err.status === 429 || err.error === 'RateLimitExceeded') {
    return p('rate_limited', 'Bluesky asked Herald to slow down for this account (rate limit).', {
      retryAfterMs: retryAfterFrom(err.headers, options.now),
    });
  }
  const auth = AUTH_ERRORS[err.error];
  if (auth) return p('auth', auth);
  if (err.status === 401) return p('auth', withVendorText(AUTH_ERRORS.AuthenticationRequired!, err.vendorMessage));
  if (err.status >= 500) {
    return options.sent
      ? p(
          'unknown_outcome',
          withVendorText('Bluesky failed while taking the post; it may have gone out.', err.vendorMessage),
        )
      : p('transient', withVendorText('Bluesky had a server error; nothing was posted.', err.vendorMessage));
  }
  switch (err.error) {
    case 'PayloadTooLarge':
      return p('permanent', 'Bluesky refused the upload as too large.');
    case 'BlobTooLarge':
      return p('permanent', withVendorText('Bluesky refused a file as too large.', err.vendorMessage));
    case 'InvalidMimeType':
      return p('permanent', withVendorText('Bluesky refused a file of this type.', err.vendorMessage));
    case 'InvalidSwap':
      return p('permanent', 'Bluesky already holds a different record under this post’s key.');
    case 'RepoNotFound':
      return p('auth', 'Bluesky has no repository for this account any more; reconnect it.');
    default:
      return p('permanent', withVendorText('Bluesky refused the request.', err.vendorMessage));
  }
}
