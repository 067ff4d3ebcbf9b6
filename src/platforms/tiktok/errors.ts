// TikTok's error vocabulary turned into PlatformErrors with words an admin can act on: flat OAuth
// errors, generic v2 codes, posting refusals (some answered with HTTP 200) and the fail_reason of a
// publish (docs/platforms/tiktok.md: #token-endpoint, #error-codes, #publish-status).
import { PlatformError } from '../types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** When TikTok asks us to slow down without saying for how long (its 429s carry no Retry-After). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = MINUTE;
/**
 * The per-creator daily cap ("typically ~15/day",
 * docs/platforms/tiktok.md#unaudited-apps-and-daily-caps) and the app's daily active-creator cap are
 * rolling 24 h windows TikTok does not describe further: trying again a few times a day is the most
 * that can help.
 */
export const DAILY_CAP_WAIT_MS = 6 * HOUR;

export const VERIFIED_PREFIX_HINT =
  'set TIKTOK_VERIFIED_URL_PREFIX to the prefix verified in the developer portal, or unset it to upload instead';

/** A v2 business error as TikTok sent it: `{"error":{"code","message","log_id"}}` plus the HTTP status. */
export interface V2Failure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfterMs?: number | undefined;
}

function withVendorText(words: string, vendor: string): string {
  const detail = vendor.trim();
  return detail ? `${words} (TikTok said: ${detail})` : words;
}

/**
 * Maps one v2 error. `sent` is true for the publishing calls (video/content init): there a 5xx may have
 * taken effect (docs/platforms/tiktok.md#network-failures-and-unknown-outcomes), so it is an unknown
 * outcome rather than "try again".
 */
export function v2Error(f: V2Failure, sent: boolean): PlatformError {
  const p = (
    kind: ConstructorParameters<typeof PlatformError>[0],
    message: string,
    options: { retryAfterMs?: number; scope?: 'account' | 'platform' } = {},
  ) => new PlatformError(kind, message, f.code, options);
  switch (f.code) {
    case 'access_token_invalid':
      return p(
        'auth',
        "TikTok no longer accepts this account's access token (it expired, or the owner removed Herald's access).",
      );
    case 'scope_not_authorized':
      return p(
        'auth',
        'The TikTok account did not allow Herald to post (the video.publish permission); ' +
          'reconnect it and allow posting.',
      );
    case 'scope_permission_missed':
      return p(
        'auth',
        'TikTok needs a permission this account did not grant; reconnect it and allow everything Herald asks for.',
      );
    case 'invalid_params':
    case 'invalid_param':
      return p('permanent', withVendorText('TikTok refused the request as invalid.', f.message));
    case 'invalid_file_upload':
      return p('permanent', withVendorText('TikTok refused the uploaded file.', f.message));
    case 'rate_limit_exceeded':
      return p('rate_limited', 'TikTok asked Herald to slow down for this account (rate limit).', {
        retryAfterMs: f.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
        scope: 'account',
      });
    case 'internal_error':
      return p(sent ? 'unknown_outcome' : 'transient', 'TikTok had an internal error.');
    case 'spam_risk_too_many_posts':
      return p(
        'rate_limited',
        "This account reached TikTok's daily limit of posts made through apps; Herald tries again in a few hours.",
        { retryAfterMs: DAILY_CAP_WAIT_MS, scope: 'account' },
      );
    case 'spam_risk_user_banned_from_posting':
      return p(
        'permanent',
        'TikTok has blocked this account from posting through apps; the owner must resolve it in the TikTok app.',
      );
    case 'reached_active_user_cap':
      // The cap counts distinct creators per 24 h for the whole app
      // (docs/platforms/tiktok.md#unaudited-apps-and-daily-caps): creators who already
      // posted today still can, so only this account waits.
      return p(
        'rate_limited',
        "Herald's TikTok app reached its daily limit of accounts that may post " +
          "(5 per 24 hours until the app passes TikTok's audit); Herald tries again in a few hours.",
        { retryAfterMs: DAILY_CAP_WAIT_MS, scope: 'account' },
      );
    case 'unaudited_client_can_only_post_to_private_accounts':
      return p(
        'permanent',
        "Until Herald's TikTok app passes TikTok's Content Posting audit, " +
          'TikTok only accepts posts visible to the owner alone, to accounts set to private: ' +
          'make the account private in the TikTok app (Settings → Privacy), ' +
          'or complete the audit and set TIKTOK_AUDITED=true.',
      );
    case 'url_ownership_unverified':
      return p('permanent', `TikTok can only pull media from a verified domain: ${VERIFIED_PREFIX_HINT}.`);
    case 'privacy_level_option_mismatch':
      // The account's privacy options changed between creator_info and init (e.g. it went
      // private); the next attempt reads them again.
      return p(
        'rate_limited',
        "The account's TikTok privacy settings changed while posting; Herald reads them again and retries in a minute.",
        { retryAfterMs: MINUTE, scope: 'account' },
      );
    case 'spam_risk_too_many_pending_share':
      return p(
        'permanent',
        'The account has too many unfinished TikTok drafts from apps; ' +
          'the owner must post or delete them in the TikTok app.',
      );
    case 'app_version_check_failed':
      return p('permanent', "The account's TikTok app is too old for this kind of post; the owner must update it.");
    case 'invalid_publish_id':
      return p('permanent', 'TikTok does not know this publish id.');
    case 'token_not_authorized_for_specified_publish_id':
      return p('permanent', 'TikTok says this publish id belongs to another account.');
  }
  return byStatus(
    f.status,
    f.code,
    withVendorText(`TikTok refused the request (${f.code}).`, f.message),
    sent,
    f.retryAfterMs,
  );
}

/** An answer without a usable v2 envelope (a proxy's HTML page, an empty body): judged by status. */
export function byStatus(
  status: number,
  code: string,
  message: string,
  sent: boolean,
  retryAfterMs?: number,
): PlatformError {
  if (status === 401) return new PlatformError('auth', "TikTok no longer accepts this account's access token.", code);
  if (status === 429)
    return new PlatformError('rate_limited', 'TikTok asked Herald to slow down for this account (rate limit).', code, {
      retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
      scope: 'account',
    });
  if (status >= 500 || status < 400)
    return new PlatformError(
      sent ? 'unknown_outcome' : 'transient',
      `TikTok answered HTTP ${status} without a usable result.`,
      code,
    );
  return new PlatformError('permanent', message, code);
}

/**
 * A flat OAuth error from `/v2/oauth/token/` (docs/platforms/tiktok.md#token-endpoint), met while
 * refreshing tokens.
 */
export function oauthRefreshError(
  status: number,
  code: string,
  description: string,
  retryAfterMs?: number,
): PlatformError {
  switch (code) {
    case 'invalid_grant':
    case 'access_denied':
    case 'invalid_scope':
      return new PlatformError(
        'auth',
        withVendorText(
          "TikTok no longer accepts the account's refresh token " +
            "(it expired, was replaced, or the owner removed Herald's access).",
          description,
        ),
        code,
      );
    case 'invalid_client':
    case 'unauthorized_client':
    case 'unsupported_grant_type':
      // Our app's credentials, not the account: reconnecting would not help.
      return new PlatformError(
        'permanent',
        "TikTok refused Herald's app credentials: check TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET.",
        code,
      );
    case 'rate_limit_exceeded':
      return new PlatformError('rate_limited', 'TikTok asked Herald to slow down while refreshing tokens.', code, {
        retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
        scope: 'account',
      });
  }
  if (status === 429 || status >= 500) return byStatus(status, code, '', false, retryAfterMs);
  return new PlatformError(
    'permanent',
    withVendorText(`TikTok refused the token refresh (${code}).`, description),
    code,
  );
}

/**
 * Failures worth one more send once TikTok has said the post did not go out
 * (docs/platforms/tiktok.md#publish-status).
 */
export const RETRYABLE_FAIL_REASONS: ReadonlySet<string> = new Set([
  'internal',
  'video_pull_failed',
  'photo_pull_failed',
]);

const FAIL_REASONS: Record<string, string> = {
  file_format_check_failed:
    'TikTok could not read the file (videos: MP4, MOV or WebM with H.264/H.265/VP8/VP9; photos: JPEG or WebP).',
  duration_check_failed: "The video's length is outside what TikTok allows for this account.",
  frame_rate_check_failed: 'TikTok takes videos at 23 to 60 frames per second only.',
  picture_size_check_failed:
    'The picture size is outside what TikTok accepts (videos 360 to 4096 pixels per side, photos at most 1080p).',
  internal: 'TikTok had an internal error while processing the post.',
  video_pull_failed: "TikTok could not download the video from Herald's public URL.",
  photo_pull_failed: "TikTok could not download the photos from Herald's public URL.",
  publish_cancelled: 'The post was cancelled on TikTok.',
  auth_removed: "The owner removed Herald's access on TikTok before the post went out.",
  spam_risk_too_many_posts: "The account reached TikTok's daily limit of posts made through apps.",
  spam_risk_user_banned_from_posting: 'TikTok has blocked this account from posting through apps.',
  spam_risk_text: 'TikTok flagged the caption as spam.',
  spam_risk: 'TikTok flagged the post as a spam risk.',
};

/** The `fail_reason` of a FAILED publish in words. */
export function describeFailReason(reason: string | null): string {
  if (!reason) return 'TikTok reports the post failed without giving a reason.';
  return FAIL_REASONS[reason] ?? `TikTok reports the post failed (${reason}).`;
}
