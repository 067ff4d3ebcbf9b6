// Pinterest API errors turned into PlatformErrors with plain words (docs/platforms/pinterest.md#errors).
// Every 4xx/5xx answer carries `{code, message}`
// (https://developers.pinterest.com/docs/api/v5/ — the Error schema).
import { PlatformError, type PlatformErrorKind } from '../types.js';

export interface PinterestErrorBody {
  readonly code?: number;
  readonly message?: string;
}

/** When a 429 says nothing about how long to wait: the per-minute windows (docs/platforms/pinterest.md#rate-limits). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** Trial apps may not create pins in production (docs/platforms/pinterest.md#sandbox). */
const TRIAL_IN_PRODUCTION = 29;

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export interface PinterestErrorContext {
  readonly httpStatus: number;
  readonly retryAfterMs?: number;
}

/** One error answer as a PlatformError; `code` keeps Pinterest's code for the logs. */
export function mapPinterestError(body: PinterestErrorBody | null, context: PinterestErrorContext): PlatformError {
  const status = context.httpStatus;
  const code = typeof body?.code === 'number' ? body.code : undefined;
  const words = (body?.message ?? `HTTP ${status}`).trim();
  const tag = `pinterest:${code ?? status}`;
  const make = (kind: PlatformErrorKind, message: string, extra: { retryAfterMs?: number } = {}) =>
    new PlatformError(kind, sentence(message), tag, {
      ...extra,
      ...(kind === 'rate_limited' ? { scope: 'account' } : {}),
    });

  if (status === 429)
    return make('rate_limited', `Pinterest asked Herald to slow down (${words})`, {
      retryAfterMs: context.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
    });
  if (status === 401)
    return make('auth', `Pinterest no longer accepts Herald’s access (${words}); the account must be connected again`);
  if (code === TRIAL_IN_PRODUCTION)
    return make(
      'permanent',
      'Pinterest refuses pins from an app with Trial access on the production API; the administrator must set ' +
        'PINTEREST_API_URL to https://api-sandbox.pinterest.com/v5 or get Standard access',
    );
  if (/Unable to reach the URL/i.test(words))
    return make(
      'transient',
      'Pinterest could not download the media from Herald; check that PUBLIC_URL is reachable from the internet',
    );
  if (/board not found/i.test(words))
    return make('permanent', 'Pinterest cannot find the board this pin goes to; choose another board');
  if (status === 403)
    return make(
      'permanent',
      `Pinterest refused: permission denied (${words}). Connect the account again and grant every permission asked for`,
    );
  if (status >= 500) return make('transient', `Pinterest had a temporary problem (${words}); it will be tried again`);
  return make('permanent', `Pinterest refused the request: ${words}`);
}
