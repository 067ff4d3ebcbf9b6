// Graph API errors (docs/platforms/meta.md#errors: Pages and Instagram) turned into PlatformErrors
// with words for the admin. Graph sends nearly everything as `type: "OAuthException"` with HTTP
// 400, so the classification goes by `code` and `error_subcode` only.
import { PlatformError } from '../types.js';

export type MetaSurface = 'facebook' | 'instagram';

/** The `error` object of a Graph error envelope (docs/platforms/meta.md#the-error-envelope). */
export interface GraphErrorBody {
  readonly message?: string;
  readonly type?: string;
  readonly code?: number;
  readonly error_subcode?: number;
  readonly error_user_title?: string;
  readonly error_user_msg?: string;
  readonly is_transient?: boolean;
  readonly fbtrace_id?: string;
}

const HOUR = 3_600_000;

/**
 * How long a rate-limit refusal waits when the usage headers give no estimate (Mixpost's choice;
 * docs/platforms/meta.md#rate-limits).
 */
export const DEFAULT_RATE_LIMIT_WAIT_MS = HOUR;
/**
 * 368 "temporarily blocked for policy violations": back off for hours, never hammer
 * (docs/platforms/meta.md#graph-error-codes).
 */
export const POLICY_BLOCK_WAIT_MS = 6 * HOUR;
/** 1390008 "posting too fast" (Postiz mapping, docs/platforms/meta.md#page-publishing-subcodes). */
const POSTING_TOO_FAST_WAIT_MS = 30 * 60_000;

/** Rate-limit codes (docs/platforms/meta.md#graph-error-codes). App-wide ones pause every account of the platform. */
const APP_RATE_CODES = new Set([4, 341, 613]);
const ACCOUNT_RATE_CODES = new Set([17, 32, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014]);

const LABEL: Record<MetaSurface, string> = { facebook: 'Facebook', instagram: 'Instagram' };

/**
 * Code 190/102 subcodes (docs/platforms/meta.md#token-subcodes): what happened and what the person must
 * do besides reconnecting (the engine and the token refresher add "Reconnect it from the client's
 * portal").
 */
const AUTH_SUBCODES: Record<number, string> = {
  458: 'the person who connected it removed the Herald app from their Facebook settings',
  459:
    'Facebook put a security checkpoint on the user: ' +
    'they must log in on facebook.com and follow the instructions first',
  460: 'the Facebook password was changed, or Facebook ended the session for security reasons',
  463: 'the access has expired',
  464: 'the Facebook user is not confirmed: they must confirm their account on facebook.com first',
  467: 'the user logged out of Facebook, which ended Herald’s access',
  492:
    'the person who connected it no longer has a role on the Page that allows publishing: ' +
    'give them a role with "Create content" first',
};

/**
 * Page-level blocks a person must clear on Facebook (Postiz mapping,
 * docs/platforms/meta.md#page-publishing-subcodes): posts wait for it.
 */
const ACTION_REQUIRED: Record<number, string> = {
  1404078: 'the Page needs Page Publishing Authorization: a Page admin must complete it on facebook.com first',
  4854002: 'the Page admin must confirm their identity on facebook.com before posting as the Page',
  1404006: 'Facebook needs a security check: the Page admin must log in on facebook.com and complete it first',
};

type Kind = PlatformError['kind'];

/**
 * Specific subcodes (Postiz's list for Facebook, Meta's table for Instagram; docs/platforms/meta.md#errors):
 * kind and the plain-words reason.
 */
const SUBCODES: Record<number, [Kind, string]> = {
  // Facebook publishing (docs/platforms/meta.md#page-publishing-subcodes)
  1366046: ['permanent', 'refused the photo: photos must be JPG or PNG and smaller than 4 MB'],
  1390008: ['rate_limited', 'says the Page is posting too fast; Herald waits before the next post'],
  1346003: ['permanent', 'flagged the post as possibly abusive; change the content before trying again'],
  1404102: ['permanent', 'says the post goes against its Community Standards'],
  1366051: ['permanent', 'says these photos were already posted'],
  1609008: ['permanent', 'does not allow posting links to facebook.com'],
  2061006: ['permanent', 'could not use the URL: check that the link (or Herald’s PUBLIC_URL) is valid and public'],
  1349125: ['permanent', 'says the post content is invalid'],
  1404112: ['permanent', 'has limited what this account can do; check the Page’s notifications on Facebook'],
  1363047: ['transient', 'is temporarily unavailable'],
  1609010: ['transient', 'is temporarily unavailable'],
  1609005: ['permanent', 'could not read the link in the post (its preview could not be fetched); check the URL'],
  // Instagram (docs/platforms/meta.md#instagram-error-codes)
  2207003: ['transient', 'timed out downloading the media; it will be tried again'],
  2207020: ['transient', 'let the media container expire; a new one is made on the next attempt'],
  2207001: ['transient', 'had a server error; it will be tried again'],
  2207032: ['transient', 'could not create the media; it will be tried again with a new container'],
  2207053: ['transient', 'had an unknown error with the video upload; it will be tried again with a new container'],
  2207057: ['permanent', 'refused the video: the cover frame offset is outside the video’s duration'],
  2207051: ['permanent', 'restricted the action as suspected spam; review the content before trying again'],
  2207042: ['rate_limited', 'says the account reached its daily limit of posts published through the API'],
  2207006: [
    'transient',
    'could not find the media container (it may have expired); a new one is made on the next attempt',
  ],
  2207008: ['transient', 'could not find the media container yet; it will be tried again'],
  2207050: [
    'permanent',
    'says the Instagram account is restricted, checkpointed or inactive; open the Instagram app to resolve it',
  ],
  2207023: ['permanent', 'does not support this media type'],
  2207028: ['permanent', 'refused the carousel: a carousel must have between 2 and 10 items'],
  2207035: ['permanent', 'refused the product tags: their position is invalid'],
  2207036: ['permanent', 'refused the product tags'],
  2207037: ['permanent', 'refused the product tags'],
  2207040: ['permanent', 'refused the caption: it has more than 20 @-mentions'],
  2207026: ['permanent', 'refused the video format: use MP4 or MOV (H.264 or HEVC, AAC audio)'],
  2207052: [
    'transient',
    'could not download the media from Herald; check that PUBLIC_URL is reachable from the internet',
  ],
  2207027: ['transient', 'has not finished processing the media yet; it will be tried again'],
  2207004: ['permanent', 'refused the image: images must be smaller than 8 MB'],
  2207005: ['permanent', 'refused the image format: only JPEG is supported'],
  2207009: ['permanent', 'refused the image: the aspect ratio must be between 4:5 and 1.91:1'],
  2207010: ['permanent', 'refused the caption: at most 2,200 characters, 30 hashtags and 20 @-mentions'],
  2207081: ['permanent', 'says this account cannot publish trial Reels'],
  2207082: ['transient', 'asks for the upload to be tried again'],
  2207077: ['transient', 'could not download the video; it will be tried again'],
};

/** Instagram codes when no subcode came with them (docs/platforms/meta.md#instagram-error-codes). */
const CODES: Record<number, [Kind, string]> = {
  9004: ['transient', 'could not download the media from Herald; check that PUBLIC_URL is reachable from the internet'],
  9007: ['transient', 'has not finished processing the media yet; it will be tried again'],
  24: ['transient', 'could not find the media container (it may have expired); a new one is made on the next attempt'],
  25: [
    'permanent',
    'says the Instagram account is restricted, checkpointed or inactive; open the Instagram app to resolve it',
  ],
  352: ['permanent', 'refused the video format: use MP4 or MOV (H.264 or HEVC, AAC audio)'],
  36000: ['permanent', 'refused the image: images must be smaller than 8 MB'],
  36001: ['permanent', 'refused the image format: only JPEG is supported'],
  36003: ['permanent', 'refused the image: the aspect ratio must be between 4:5 and 1.91:1'],
  36004: ['permanent', 'refused the caption: at most 2,200 characters, 30 hashtags and 20 @-mentions'],
  1609005: ['permanent', 'could not read the link in the post (its preview could not be fetched); check the URL'],
};

const PERMISSION =
  /\b(pages_[a-z_]+|instagram_[a-z_]+|publish_video|business_management|ads_management|read_insights)\b/g;

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Meta's own words, without the "(#200)" prefix. */
function metaWords(err: GraphErrorBody): string {
  return (err.error_user_msg || err.message || 'no details given').replace(/^\(#-?\d+\)\s*/, '').trim();
}

function isAuthSubcode(subcode: number | undefined): boolean {
  return subcode !== undefined && ((subcode >= 458 && subcode <= 467) || subcode === 492);
}

export interface MapOptions {
  /** Waiting time from the usage headers (docs/platforms/meta.md#rate-limits), for rate-limit codes. */
  readonly retryAfterMs?: number;
  /** Which usage header was at 100 %, when one was. */
  readonly scope?: 'account' | 'platform';
  readonly httpStatus?: number;
}

/**
 * Maps one Graph error to a PlatformError: auth (a person must reconnect), rate_limited (wait),
 * transient (retry), permanent (this content is refused). The vendor's code and subcode are kept
 * in `code` for the logs.
 */
export function mapGraphError(err: GraphErrorBody, surface: MetaSurface, options: MapOptions = {}): PlatformError {
  const label = LABEL[surface];
  const code = typeof err.code === 'number' ? err.code : undefined;
  const subcode = typeof err.error_subcode === 'number' ? err.error_subcode : undefined;
  const tag = `meta:${code ?? '?'}${subcode !== undefined ? `/${subcode}` : ''}`;
  const words = metaWords(err);
  const make = (kind: Kind, message: string, extra: { retryAfterMs?: number; scope?: 'account' | 'platform' } = {}) =>
    new PlatformError(kind, sentence(message), tag, extra);

  // Auth: code 190/102, or one of the login subcodes on any code (docs/platforms/meta.md#token-subcodes).
  if (code === 190 || code === 102 || isAuthSubcode(subcode)) {
    const why = subcode !== undefined ? AUTH_SUBCODES[subcode] : undefined;
    return make(
      'auth',
      why ? `${label} refused the access token: ${why}` : `${label} no longer accepts the access token (${words})`,
    );
  }
  if (subcode !== undefined && ACTION_REQUIRED[subcode])
    return make('auth', `${label} refused the post: ${ACTION_REQUIRED[subcode]}`);

  // Specific subcodes before the generic code classes: 4/2207051 is spam, not a rate limit.
  const specific = subcode !== undefined ? SUBCODES[subcode] : undefined;
  if (specific) {
    const [kind, why] = specific;
    if (kind === 'rate_limited') {
      const wait =
        subcode === 1390008 ? POSTING_TOO_FAST_WAIT_MS : (options.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS);
      return make('rate_limited', `${label} ${why}`, { retryAfterMs: wait, scope: 'account' });
    }
    return make(kind, `${label} ${why}`);
  }

  if (code === 368) {
    // Blocked for policy reasons: surface Meta's user message and stay away for hours
    // (docs/platforms/meta.md#graph-error-codes).
    return make(
      'rate_limited',
      `${label} has temporarily blocked this account from posting (${words}). ` +
        'Herald waits several hours before trying again',
      {
        retryAfterMs: Math.max(options.retryAfterMs ?? 0, POLICY_BLOCK_WAIT_MS),
        scope: 'account',
      },
    );
  }
  if (code !== undefined && (APP_RATE_CODES.has(code) || ACCOUNT_RATE_CODES.has(code))) {
    const scope = options.scope ?? (APP_RATE_CODES.has(code) ? 'platform' : 'account');
    const whose = scope === 'platform' ? 'Herald’s Meta app' : 'this account';
    return make('rate_limited', `${label} asked Herald to slow down: ${whose} reached its request limit`, {
      retryAfterMs: options.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
      scope,
    });
  }
  if (code === 9 && surface === 'instagram') {
    return make(
      'rate_limited',
      'Instagram says the account reached its daily limit of posts published through the API',
      { retryAfterMs: DEFAULT_RATE_LIMIT_WAIT_MS, scope: 'account' },
    );
  }

  // Permission errors: reconnecting with the same role does not fix them, so they are not auth.
  if (code === 3 || code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    const named = [...new Set(err.message?.match(PERMISSION) ?? [])];
    const what =
      named.length > 1
        ? `the permissions ${named.join(' and ')} are missing`
        : named.length
          ? `the permission ${named[0]} is missing`
          : `permission denied (${words})`;
    return make(
      'permanent',
      `${label} refused: ${what}. ` +
        'The person who connects the account must grant it and have a role on the Page that allows publishing',
    );
  }
  if (code === 506)
    return make('permanent', `${label} refused a duplicate: the same text was just posted on this Page`);

  // Codes of Meta's Instagram table that arrive without their subcode.
  const byCode = code !== undefined ? CODES[code] : undefined;
  if (byCode) return make(byCode[0], `${label} ${byCode[1]}`);

  // Strings Postiz matches on when codes are missing or generic (docs/platforms/meta.md#page-publishing-subcodes).
  const raw = `${err.message ?? ''} ${err.error_user_msg ?? ''}`;
  if (/Error validating access token|REVOKED_ACCESS_TOKEN|session has been invalidated/i.test(raw)) {
    return make('auth', `${label} no longer accepts the access token (${words})`);
  }
  if (/not an Instagram Business/i.test(raw)) {
    return make(
      'permanent',
      'Instagram says the account is not a business or creator account linked to the Page; ' +
        'switch it to a professional account in the Instagram app',
    );
  }
  if (/Page request limit reached/i.test(raw)) {
    return make('rate_limited', `${label} asked Herald to slow down: this account reached its request limit`, {
      retryAfterMs: options.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS,
      scope: 'account',
    });
  }

  // Temporary trouble on Meta's side (Graph codes 1/2, Instagram -1/-2), or anything Meta flags as transient.
  if (
    code === 1 ||
    code === 2 ||
    code === -1 ||
    code === -2 ||
    err.is_transient === true ||
    (options.httpStatus ?? 0) >= 500 ||
    /An unknown error occurred/i.test(raw)
  ) {
    return make('transient', `${label} had a temporary problem (${words}); it will be tried again`);
  }
  // 100 is a bad parameter: permanent (the old PHP SDK counts it as auth; Meta's table does not, see
  // docs/platforms/meta.md#graph-error-codes).
  return make('permanent', `${label} refused the request: ${words}`);
}

/** Plain words for a 190-family subcode, for connector health checks (docs/platforms/meta.md#token-health-check). */
export function authMessage(subcode: number | undefined, fallback: string): string {
  const why = subcode !== undefined ? AUTH_SUBCODES[subcode] : undefined;
  return sentence(
    why ? `Facebook refused the access token: ${why}` : `Facebook no longer accepts the access token (${fallback})`,
  );
}
