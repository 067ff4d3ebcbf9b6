// Threads API errors turned into PlatformErrors with plain words
// (docs/platforms/threads.md#errors). Graph calls answer with the Graph envelope; the code
// exchange answers with a flat body, read by the API client.
import { PlatformError, type PlatformErrorKind } from '../types.js';

/** The `error` object of the Graph envelope (https://developers.facebook.com/docs/graph-api/guides/error-handling). */
export interface ThreadsErrorBody {
  readonly message?: string;
  readonly type?: string;
  readonly code?: number | string;
  readonly error_subcode?: number;
  readonly error_user_title?: string;
  readonly error_user_msg?: string;
  readonly is_transient?: boolean;
  readonly fbtrace_id?: string;
}

const HOUR = 3_600_000;
/** When a rate-limit answer says nothing about how long to wait: Meta's windows are hourly. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = HOUR;

/** Graph throttling codes (https://developers.facebook.com/docs/graph-api/overview/rate-limiting). */
const RATE_CODES = new Set([4, 17, 32, 613]);
/** Token invalid, expired or revoked (docs/platforms/threads.md#errors). */
const AUTH_CODES = new Set([190, 102]);

/** Container `error_message` values (https://developers.facebook.com/docs/threads/troubleshooting). */
const CONTAINER_ERRORS: Record<string, string> = {
  FAILED_DOWNLOADING_VIDEO: 'it could not download the video from Herald (check that PUBLIC_URL is public)',
  FAILED_PROCESSING_AUDIO: 'it could not process the video’s audio (use AAC, at most 48 kHz, mono or stereo)',
  FAILED_PROCESSING_VIDEO: 'it could not process the video (use MP4 or MOV with H.264 or HEVC)',
  INVALID_ASPEC_RATIO: 'the aspect ratio is outside what Threads accepts (at most 10:1 either way)',
  INVALID_BIT_RATE: 'the video’s bit rate is too high',
  INVALID_DURATION: 'the video is too long (at most 5 minutes)',
  INVALID_FRAME_RATE: 'the video’s frame rate must be between 23 and 60 frames per second',
  INVALID_AUDIO_CHANNELS: 'the audio must be mono or stereo',
  INVALID_AUDIO_CHANNEL_LAYOUT: 'the audio channel layout is not supported',
  UNKNOWN: 'it gave no reason',
};

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Plain words for a container that ended in ERROR. */
export function containerErrorMessage(errorMessage: string | undefined): string {
  const why = errorMessage ? (CONTAINER_ERRORS[errorMessage] ?? errorMessage) : 'it gave no reason';
  return sentence(`Threads could not process the media: ${why}`);
}

export interface ThreadsErrorContext {
  readonly httpStatus: number;
  /** From Retry-After or the usage headers, when the answer carried one. */
  readonly retryAfterMs?: number;
}

/**
 * One Graph error as a PlatformError. `code` keeps Threads' code and subcode for the logs; the
 * message is for the admin.
 */
export function mapThreadsError(err: ThreadsErrorBody, context: ThreadsErrorContext): PlatformError {
  const code = typeof err.code === 'number' ? err.code : undefined;
  const named = typeof err.code === 'string' ? err.code : undefined;
  const subcode = typeof err.error_subcode === 'number' ? err.error_subcode : undefined;
  const tag = `threads:${err.code ?? context.httpStatus}${subcode !== undefined ? `/${subcode}` : ''}`;
  const words = (err.error_user_msg || err.message || 'no details given').replace(/^\(#-?\d+\)\s*/, '').trim();
  const raw = `${err.message ?? ''} ${err.error_user_msg ?? ''} ${named ?? ''}`;
  const make = (kind: PlatformErrorKind, message: string, extra: { retryAfterMs?: number } = {}) =>
    new PlatformError(kind, sentence(message), tag, {
      ...extra,
      ...(kind === 'rate_limited' ? { scope: 'account' } : {}),
    });

  if ((code !== undefined && AUTH_CODES.has(code)) || /Error validating access token/i.test(raw))
    return make('auth', `Threads no longer accepts Herald’s access (${words}); the account must be connected again`);
  if (context.httpStatus === 429 || (code !== undefined && RATE_CODES.has(code)))
    return make('rate_limited', `Threads asked Herald to slow down (${words})`, {
      retryAfterMs: context.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
    });
  if (code === 24 && subcode === 4279009)
    return make('transient', 'Threads could not find the media container yet; it will be tried again');
  if (subcode === 2207051 || code === 2207051)
    return make('permanent', 'Threads restricted the action as suspected spam; review the content before trying again');
  if (subcode === 4279013 || code === 4279013)
    return make('permanent', 'Threads says this account is restricted; open the Threads app to resolve it');
  if (/LINK_LIMIT_EXCEEDED/.test(raw)) return make('permanent', 'Threads refused the post: it has more than 5 links');
  if (/at most 500 characters/i.test(raw))
    return make('permanent', 'Threads refused the post: the text is longer than 500 characters');
  if (/could not be fetched from this URI/i.test(raw))
    return make(
      'transient',
      'Threads could not download the media from Herald; check that PUBLIC_URL is reachable from the internet',
    );
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299))
    return make(
      'permanent',
      `Threads refused: permission denied (${words}). Connect the account again and grant every permission asked for`,
    );
  if (err.is_transient === true || code === 1 || code === 2 || context.httpStatus >= 500)
    return make('transient', `Threads had a temporary problem (${words}); it will be tried again`);
  return make('permanent', `Threads refused the request: ${words}`);
}
