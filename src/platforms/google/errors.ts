// Google's error vocabulary turned into PlatformErrors with words an admin can act on: the
// google.rpc.Status body of the Business Profile APIs and the flat OAuth body of the token endpoint
// (docs/platforms/google-business.md#errors).
import { PlatformError, type PlatformErrorKind } from '../types.js';

const MINUTE = 60_000;
/** Google's 429s usually carry no Retry-After; its limits are per minute. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = MINUTE;

/**
 * Until Google approves a project's request for Business Profile API access its quota is 0, and every
 * call is refused as over quota (https://developers.google.com/my-business/content/limits).
 */
export const API_ACCESS_HELP =
  "If this never stops, Herald's Google Cloud project has not been approved for the Business Profile APIs yet: " +
  'its quota stays at 0 until Google accepts the access request ' +
  '(https://support.google.com/business/contact/api_default).';

/** `{"error":{"code","message","status","details":[…]}}` as Google sends it. */
export interface GoogleStatus {
  readonly httpStatus: number;
  readonly status: string;
  readonly message: string;
  /** ErrorInfo reasons and v4 ValidationError/ErrorDetail entries, flattened. */
  readonly reasons: readonly string[];
  readonly fieldErrors: readonly { field?: string; message: string; code?: number }[];
  readonly retryAfterMs?: number | undefined;
}

export function parseStatus(httpStatus: number, body: unknown, retryAfterMs?: number): GoogleStatus {
  const error = (body as { error?: unknown } | null)?.error;
  const e = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const reasons: string[] = [];
  const fieldErrors: { field?: string; message: string; code?: number }[] = [];
  for (const d of Array.isArray(e.details) ? e.details : []) {
    const detail = d as Record<string, unknown>;
    if (typeof detail.reason === 'string') reasons.push(detail.reason);
    for (const fe of Array.isArray(detail.errorDetails) ? detail.errorDetails : []) {
      const f = fe as Record<string, unknown>;
      if (typeof f.message !== 'string') continue;
      fieldErrors.push({
        message: f.message,
        ...(typeof f.field === 'string' ? { field: f.field } : {}),
        ...(typeof f.code === 'number' ? { code: f.code } : {}),
      });
    }
  }
  return {
    httpStatus,
    status: typeof e.status === 'string' ? e.status : `HTTP_${httpStatus}`,
    message: typeof e.message === 'string' ? e.message : '',
    reasons,
    fieldErrors,
    retryAfterMs,
  };
}

function vendorText(words: string, s: GoogleStatus): string {
  const details = s.fieldErrors.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message));
  const said = [s.message, ...details].filter(Boolean).join('; ');
  return said ? `${words} (Google said: ${said})` : words;
}

/**
 * One API error. `sent` is true for the publishing call (localPosts.create): there a 5xx may have
 * created the post (docs/platforms/google-business.md#lost-responses), so it is an unknown outcome.
 */
export function apiError(s: GoogleStatus, sent: boolean): PlatformError {
  // Google's per-minute quotas are per Cloud project, so they hold back every account; the per-profile
  // edit cap holds back one location (https://developers.google.com/my-business/content/limits).
  const scope = /per project|consumer 'project/i.test(s.message) ? ('platform' as const) : ('account' as const);
  const p = (kind: PlatformErrorKind, message: string, options: { retryAfterMs?: number } = {}) =>
    new PlatformError(kind, message, s.reasons[0] ?? s.status, {
      ...options,
      ...(kind === 'rate_limited' ? { scope } : {}),
    });
  if (s.reasons.includes('LOCATION_DISABLED_FOR_LOCAL_POST_API'))
    return p(
      'permanent',
      'Google does not allow posts through the API for this location (chain locations cannot use local posts).',
    );
  if (s.reasons.includes('SERVICE_DISABLED') || s.reasons.includes('API_DISABLED'))
    return p(
      'permanent',
      vendorText(
        "A Business Profile API is not enabled in Herald's Google Cloud project; " +
          'the administrator must enable it in the Google Cloud console.',
        s,
      ),
    );
  if (s.fieldErrors.some((f) => f.code === 1000 || /fetch/i.test(f.message)))
    // Nothing was created; Google may reach the photo next time (PUBLIC_URL must be reachable from the internet).
    return p('transient', vendorText("Google could not fetch the photo from Herald's public URL.", s));
  if (s.httpStatus === 401 || s.status === 'UNAUTHENTICATED')
    return p('auth', "Google no longer accepts this account's access token; Herald refreshes it or asks to reconnect.");
  if (s.reasons.includes('ACCESS_TOKEN_SCOPE_INSUFFICIENT'))
    return p(
      'auth',
      'The Google account did not allow Herald to manage its Business Profile; ' +
        'reconnect it and allow everything Herald asks for.',
    );
  if (s.httpStatus === 403 || s.status === 'PERMISSION_DENIED')
    return p(
      'auth',
      vendorText(
        'Google refused access to this Business Profile: ' +
          'the connected Google user may no longer manage the location. Reconnect with a user who does.',
        s,
      ),
    );
  if (s.httpStatus === 429 || s.status === 'RESOURCE_EXHAUSTED')
    return p('rate_limited', `Google asked Herald to slow down (quota exceeded). ${API_ACCESS_HELP}`, {
      retryAfterMs: s.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
    });
  if (s.httpStatus === 404 || s.status === 'NOT_FOUND')
    return p('permanent', vendorText('Google does not know this location or post any more.', s));
  if (s.httpStatus >= 500 || s.httpStatus < 400)
    return p(
      sent ? 'unknown_outcome' : 'transient',
      `Google answered HTTP ${s.httpStatus} (${s.status})${sent ? '; the post may have been created' : ''}.`,
    );
  return p('permanent', vendorText('Google refused the request.', s));
}

/** A flat OAuth error `{error, error_description}` from the token endpoint, met while refreshing. */
export function oauthError(
  httpStatus: number,
  code: string,
  description: string,
  retryAfterMs?: number,
): PlatformError {
  const words = (w: string) => (description ? `${w} (Google said: ${description})` : w);
  if (code === 'invalid_grant')
    // Revoked, unused for six months, over the per-user token cap, or a "Testing" consent screen's
    // seven-day token (docs/platforms/google-business.md#refresh-tokens).
    return new PlatformError(
      'auth',
      words(
        "Google no longer accepts the account's refresh token " +
          '(access was removed, it expired, or it was replaced); reconnect the account.',
      ),
      code,
    );
  if (code === 'invalid_client' || code === 'unauthorized_client')
    return new PlatformError(
      'permanent',
      "Google refused Herald's OAuth client: the administrator must check the Google client id and secret.",
      code,
    );
  if (httpStatus === 429)
    return new PlatformError('rate_limited', 'Google asked Herald to slow down while refreshing tokens.', code, {
      retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
      scope: 'account',
    });
  if (httpStatus >= 500)
    return new PlatformError('transient', `Google's token service answered HTTP ${httpStatus}.`, code);
  return new PlatformError('permanent', words(`Google refused the token refresh (${code}).`), code);
}
