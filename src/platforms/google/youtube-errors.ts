// YouTube's classic Google error envelope, `{"error":{"code","message","errors":[{"reason","domain"}]}}`,
// turned into PlatformErrors by its first reason (docs/platforms/youtube.md#errors).
import { PlatformError } from '../types.js';
import { DEFAULT_RATE_LIMIT_WAIT_MS } from './errors.js';

export interface YouTubeErrorBody {
  readonly httpStatus: number;
  readonly reason: string;
  readonly message: string;
}

export function parseYouTubeError(httpStatus: number, body: unknown): YouTubeErrorBody {
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  const first = Array.isArray(e?.errors) ? (e.errors[0] as Record<string, unknown> | undefined) : undefined;
  return {
    httpStatus,
    reason: typeof first?.reason === 'string' ? first.reason : `http_${httpStatus}`,
    // Google's messages carry HTML links; the words are kept, the tags dropped.
    message: typeof e?.message === 'string' ? e.message.replace(/<[^>]*>/g, '') : '',
  };
}

const INPUT = new Set([
  'invalidTitle',
  'invalidDescription',
  'invalidTags',
  'invalidCategoryId',
  'invalidPublishAt',
  'invalidFilename',
  'invalidVideoMetadata',
  'defaultLanguageNotSet',
  'mediaBodyRequired',
]);

/**
 * `sent`: the request may have changed something on YouTube (a final upload chunk), so an unclear
 * answer is an unknown outcome rather than "try again".
 */
export function youtubeError(err: YouTubeErrorBody, sent: boolean, retryAfterMs?: number): PlatformError {
  const said = err.message ? ` (YouTube said: ${err.message})` : '';
  const r = err.reason;
  if (r === 'quotaExceeded')
    return new PlatformError(
      'rate_limited',
      'The YouTube quota of this Google Cloud project is used up for today; it resets at midnight Pacific time.',
      r,
      { retryAfterMs: retryAfterMs ?? 60 * 60_000, scope: 'platform' },
    );
  if (r === 'uploadLimitExceeded')
    return new PlatformError(
      'rate_limited',
      'This YouTube channel has reached its daily upload limit; Herald tries again later.',
      r,
      { retryAfterMs: retryAfterMs ?? 6 * 60 * 60_000, scope: 'account' },
    );
  if (r === 'rateLimitExceeded' || r === 'userRateLimitExceeded' || err.httpStatus === 429)
    return new PlatformError('rate_limited', `YouTube asked Herald to slow down${said}.`, r, {
      retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
      scope: 'account',
    });
  if (r === 'youtubeSignupRequired')
    return new PlatformError(
      'permanent',
      'This Google user has no YouTube channel yet: create one on youtube.com, then connect again.',
      r,
    );
  if (err.httpStatus === 401) return new PlatformError('auth', `YouTube no longer accepts Herald's access${said}.`, r);
  if (r === 'insufficientPermissions')
    return new PlatformError(
      'auth',
      'YouTube was connected without permission to upload or read videos; connect YouTube again and allow both.',
      r,
    );
  if (INPUT.has(r)) return new PlatformError('permanent', `YouTube refused the video's details${said}.`, r);
  if (err.httpStatus >= 500)
    return sent
      ? new PlatformError('unknown_outcome', `YouTube failed while taking the video${said}.`, r)
      : new PlatformError('transient', `YouTube is having trouble${said}; Herald tries again.`, r);
  return new PlatformError('permanent', `YouTube refused the request${said}.`, r);
}
