// LinkedIn's answers as PlatformErrors (docs/platforms/linkedin.md#errors): the body is
// `{message, serviceErrorCode, status}`, and the versioned `/rest` endpoints add a `code`
// (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling).
import { parseRetryAfter } from '../../lib/backoff.js';
import type { NetworkError } from '../http.js';
import { PlatformError } from '../types.js';

/** LinkedIn publishes no Retry-After; a throttled member or app waits this long before trying again. */
const DEFAULT_THROTTLE_MS = 15 * 60_000;
/** Failures that happen before a byte of the request can have reached LinkedIn. */
const NEVER_LEFT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH/;

export interface ErrorBody {
  readonly message?: string;
  readonly serviceErrorCode?: number;
  readonly code?: string;
  readonly status?: number;
}

function said(body: ErrorBody | null): string {
  return body?.message ? ` LinkedIn said: "${body.message}"` : '';
}

/**
 * An error answer as a PlatformError. `sent`: the request could have published something, so a
 * 5xx means "maybe" rather than "nothing happened".
 */
export function linkedInError(
  status: number,
  body: ErrorBody | null,
  headers: Headers,
  sent: boolean,
  now: number,
): PlatformError {
  const code = body?.code ?? (body?.serviceErrorCode ? String(body.serviceErrorCode) : `http_${status}`);
  if (status === 401)
    return new PlatformError(
      'auth',
      `LinkedIn no longer accepts this account's access (expired or revoked): reconnect LinkedIn.${said(body)}`,
      code,
    );
  // Refusals without a code of their own are still "forbidden" to the callers that tell them apart.
  if (status === 403)
    return new PlatformError(
      'permanent',
      `LinkedIn refused: the connected person lacks the permission or the Page role this needs, or Herald's ` +
        `LinkedIn app lacks the product.${said(body)}`,
      body?.code ?? 'ACCESS_DENIED',
    );
  if (status === 426)
    return new PlatformError(
      'permanent',
      `LinkedIn no longer serves the API version Herald asks for: set LINKEDIN_API_VERSION to a recent month ` +
        `(YYYYMM).${said(body)}`,
      code,
    );
  if (status === 422) return new PlatformError('permanent', `LinkedIn refused the post's content.${said(body)}`, code);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now) ?? DEFAULT_THROTTLE_MS;
    return new PlatformError(
      'rate_limited',
      `LinkedIn is throttling calls for this account or app; Herald waits before trying again.${said(body)}`,
      code,
      { retryAfterMs, scope: 'account' },
    );
  }
  if (status >= 500) {
    if (sent)
      return new PlatformError(
        'unknown_outcome',
        `LinkedIn failed (HTTP ${status}) after the post was sent; it may have been published.${said(body)}`,
        code,
      );
    return new PlatformError('transient', `LinkedIn is having trouble (HTTP ${status}).${said(body)}`, code);
  }
  // The post named an image or video LinkedIn is still processing (a member's token may not read its status, so
  // Herald cannot always wait for AVAILABLE first): nothing was published, and a later try succeeds.
  if (status === 400 && code === 'MEDIA_ASSET_WAITING_UPLOAD')
    return new PlatformError('transient', `LinkedIn is still processing the media.${said(body)}`, code);
  if (status === 404)
    return new PlatformError('permanent', `LinkedIn could not find what Herald asked for.${said(body)}`, code);
  return new PlatformError('permanent', `LinkedIn refused the request (HTTP ${status}).${said(body)}`, code);
}

export function networkFailure(err: NetworkError, sent: boolean): PlatformError {
  const what =
    err.phase === 'timeout' ? 'LinkedIn did not answer in time' : `LinkedIn could not be reached (${err.message})`;
  if (sent && !(err.phase === 'connection' && NEVER_LEFT.test(err.message)))
    return new PlatformError('unknown_outcome', `${what}; the post may have been published.`, `network_${err.phase}`);
  return new PlatformError('transient', `${what}.`, `network_${err.phase}`);
}
