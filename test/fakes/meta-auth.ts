import { randomBytes } from 'node:crypto';
import type { RecordedRequest, Reply } from './fake-server.js';
import { graphError, type GraphParams, str } from './meta-graph.js';

/**
 * Facebook Login as the Meta fake speaks it: the dialog (docs/platforms/meta.md#authorization-dialog),
 * code → short-lived user token (docs/platforms/meta.md#code-exchange), short → long-lived
 * (docs/platforms/meta.md#long-lived-user-token), token validation with the 190 subcodes
 * (docs/platforms/meta.md#token-subcodes) and `/debug_token`
 * (docs/platforms/meta.md#token-health-check).
 */

/** Everything Herald asks for (docs/platforms/meta.md#permissions): Pages, Business Manager pages, Instagram, video. */
export const HERALD_PERMISSIONS = [
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_posts',
  'business_management',
  'instagram_basic',
  'instagram_content_publish',
  'publish_video',
  'read_insights',
  'instagram_manage_insights',
  'pages_manage_engagement',
  'instagram_manage_comments',
];

/** The Facebook user who logs in through the dialog. */
export interface MetaUser {
  id: string;
  name: string;
  /** What the user grants when asked; anything else requested shows up as `declined`. */
  permissions: string[];
  /** Press "Cancel" in the dialog: the redirect carries `error=access_denied`. */
  denyLogin: boolean;
}

/** What one login granted; user tokens and the page tokens derived from them share it. */
export interface Grant {
  scopes: string[];
  declined: string[];
}

export interface MetaToken {
  value: string;
  type: 'USER' | 'PAGE' | 'APP';
  /** Page tokens: the page they act as. */
  pageId?: string;
  /** Fixed grant, or null to follow the user's latest login (permanent page tokens). */
  grant: Grant | null;
  issuedAt: number;
  /**
   * Epoch ms; 0 never expires (page tokens obtained with a long-lived user token,
   * docs/platforms/meta.md#token-lifetimes).
   */
  expiresAt: number;
  longLived: boolean;
  /** Set when revoked: the 190 subcode calls with it get (458/460/463/467). */
  revokedSubcode?: number;
}

interface AuthCode {
  redirectUri: string;
  grant: Grant;
  expiresAt: number;
  used: boolean;
}

const SUBCODE_MESSAGES: Record<number, string> = {
  458: 'Error validating access token: The user has not authorized application.',
  459:
    'Error validating access token: You cannot access the app till you log in to www.facebook.com ' +
    'and follow the instructions given.',
  460:
    'Error validating access token: The session has been invalidated because the user changed their password ' +
    'or Facebook has changed the session for security reasons.',
  463: 'Error validating access token: Session has expired.',
  464: 'Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.',
  467: 'Error validating access token: The user has logged out.',
};

function token(prefix: string): string {
  return prefix + randomBytes(30).toString('base64url').replace(/[-_]/g, 'Z');
}

function htmlError(status: number, message: string): Reply {
  return { status, text: `<!DOCTYPE html><html><body><h1>Facebook</h1><p>${message}</p></body></html>` };
}

export class MetaAuth {
  readonly tokens = new Map<string, MetaToken>();
  private readonly codes = new Map<string, AuthCode>();
  /** The grant of the most recent login; permanent page tokens follow it. */
  latestGrant: Grant | null = null;
  /** "Hours" (docs/platforms/meta.md#token-lifetimes). */
  shortLivedTtlSec = 5400;
  /** ~60 days (docs/platforms/meta.md#token-lifetimes). */
  longLivedTtlSec = 5_184_000;
  /** Valid OAuth Redirect URIs; null accepts any absolute URL. */
  validRedirectUris: string[] | null = null;

  constructor(
    private readonly app: { appId: string; appSecret: string },
    private readonly user: MetaUser,
    private readonly now: () => number,
  ) {}

  /** `GET /dialog/oauth`: validate the app, "log the user in" and redirect back with a code. */
  dialog(req: RecordedRequest): Reply {
    const q = req.query;
    if (q.client_id !== this.app.appId)
      return htmlError(400, 'Invalid App ID: The provided app ID does not look like a valid app ID.');
    const redirect = q.redirect_uri;
    if (!redirect || !URL.canParse(redirect))
      return htmlError(400, 'URL Blocked: This redirect failed because the redirect URI is missing or not absolute.');
    if (this.validRedirectUris && !this.validRedirectUris.includes(redirect)) {
      return htmlError(
        400,
        'URL Blocked: This redirect failed because the redirect URI is not whitelisted ' +
          "in the app's Client OAuth Settings.",
      );
    }
    if (q.response_type && q.response_type !== 'code')
      return htmlError(400, `The fake only serves the server flow; response_type=${q.response_type} is not supported.`);
    const back = new URL(redirect);
    if (this.user.denyLogin) {
      // Meta's page does not confirm the denial parameter names (docs/platforms/meta.md#authorization-dialog);
      // these are the classic ones (plus error_code=200).
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_code', '200');
      back.searchParams.set('error_description', 'Permissions error');
      back.searchParams.set('error_reason', 'user_denied');
    } else {
      const requested = (q.scope ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      // Login for Business sends config_id instead of scope: the configuration grants everything
      // (docs/platforms/meta.md#authorization-dialog).
      const asked = requested.length === 0 && q.config_id ? this.user.permissions : requested;
      const grant: Grant = {
        scopes: asked.filter((s) => this.user.permissions.includes(s)),
        declined: asked.filter((s) => !this.user.permissions.includes(s)),
      };
      const code = token('AQ');
      this.codes.set(code, { redirectUri: redirect, grant, expiresAt: this.now() + 10 * 60_000, used: false });
      back.searchParams.set('code', code);
    }
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    return { status: 302, redirect: back.toString() };
  }

  /**
   * `GET|POST /oauth/access_token`: code exchange (docs/platforms/meta.md#code-exchange) or
   * fb_exchange_token (docs/platforms/meta.md#long-lived-user-token).
   */
  exchange(p: GraphParams): Record<string, unknown> {
    if (str(p, 'client_id') !== this.app.appId)
      throw graphError(101, 'Error validating application. Invalid application ID.');
    if (str(p, 'client_secret') !== this.app.appSecret) throw graphError(100, 'Error validating client secret.');
    const grantType = str(p, 'grant_type');
    if (grantType === 'fb_exchange_token') return this.extend(str(p, 'fb_exchange_token'));
    if (grantType !== undefined && grantType !== 'authorization_code')
      throw graphError(100, `Unsupported grant_type: ${grantType}`);
    return this.redeem(str(p, 'code'), str(p, 'redirect_uri'));
  }

  private redeem(code: string | undefined, redirectUri: string | undefined): Record<string, unknown> {
    if (!code) throw graphError(100, 'Missing authorization code');
    if (!redirectUri) throw graphError(100, 'Missing redirect_uri parameter.');
    const entry = this.codes.get(code);
    // Subcodes 36007/36008/36009 are how Graph tells these apart as far as we know [UNVERIFIED].
    if (!entry) throw graphError(100, 'Invalid verification code format.', { subcode: 36008 });
    if (entry.used) throw graphError(100, 'This authorization code has been used.', { subcode: 36009 });
    if (entry.redirectUri !== redirectUri) {
      // redirect_uri must be byte-identical to the dialog's (docs/platforms/meta.md#authorization-dialog).
      throw graphError(
        100,
        'Error validating verification code. ' +
          'Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
        { subcode: 36008 },
      );
    }
    if (entry.expiresAt <= this.now())
      throw graphError(100, 'This authorization code has expired.', { subcode: 36007 });
    entry.used = true;
    this.latestGrant = entry.grant;
    const t = this.issue({ type: 'USER', grant: entry.grant, longLived: false, ttlSec: this.shortLivedTtlSec });
    return { access_token: t.value, token_type: 'bearer', expires_in: this.shortLivedTtlSec };
  }

  private extend(value: string | undefined): Record<string, unknown> {
    if (!value) throw graphError(100, 'Missing fb_exchange_token parameter.');
    const t = this.check(value);
    // Only user tokens are exchanged; an expired one cannot be
    // (docs/platforms/meta.md#long-lived-user-token) — check() already refused it.
    if (t.type !== 'USER') throw graphError(100, 'fb_exchange_token must be a user access token.');
    const long = this.issue({
      type: 'USER',
      grant: t.grant ?? this.currentGrant(),
      longLived: true,
      ttlSec: this.longLivedTtlSec,
    });
    return { access_token: long.value, token_type: 'bearer', expires_in: this.longLivedTtlSec };
  }

  issue(init: {
    type: 'USER' | 'PAGE';
    grant: Grant | null;
    longLived: boolean;
    ttlSec: number | null;
    pageId?: string;
  }): MetaToken {
    const now = this.now();
    const t: MetaToken = {
      value: token(init.type === 'USER' ? 'EAAU' : 'EAAP'),
      type: init.type,
      pageId: init.pageId,
      grant: init.grant,
      issuedAt: now,
      expiresAt: init.ttlSec === null ? 0 : now + init.ttlSec * 1000,
      longLived: init.longLived,
    };
    this.tokens.set(t.value, t);
    return t;
  }

  currentGrant(): Grant {
    return this.latestGrant ?? { scopes: [...this.user.permissions], declined: [] };
  }

  scopesOf(t: MetaToken): string[] {
    return (t.grant ?? this.currentGrant()).scopes;
  }

  isAppToken(value: string): boolean {
    return value === `${this.app.appId}|${this.app.appSecret}`;
  }

  /** The token behind a call, or the 190 error Graph gives for it. */
  check(value: string | undefined): MetaToken {
    if (!value) throw graphError(104, 'An access token is required to request this resource.');
    if (this.isAppToken(value))
      return { value, type: 'APP', grant: { scopes: [], declined: [] }, issuedAt: 0, expiresAt: 0, longLived: true };
    const t = this.tokens.get(value);
    if (!t) throw graphError(190, 'Invalid OAuth access token - Cannot parse access token');
    if (t.revokedSubcode !== undefined) {
      throw graphError(190, SUBCODE_MESSAGES[t.revokedSubcode] ?? 'Error validating access token.', {
        subcode: t.revokedSubcode,
      });
    }
    if (t.expiresAt !== 0 && t.expiresAt <= this.now()) {
      throw graphError(
        190,
        `Error validating access token: Session has expired on ${new Date(t.expiresAt).toUTCString()}.`,
        { subcode: 463 },
      );
    }
    return t;
  }

  revoke(value: string, subcode = 460): void {
    const t = this.tokens.get(value);
    if (!t) throw new Error(`meta fake: unknown token ${value.slice(0, 8)}…`);
    t.revokedSubcode = subcode;
  }

  /** Password change / app removal: every user and page token dies at once. */
  revokeAll(subcode = 460): void {
    for (const t of this.tokens.values()) t.revokedSubcode = subcode;
  }

  /** Makes a token expired now (Graph then answers 190/463). */
  expire(value: string): void {
    const t = this.tokens.get(value);
    if (!t) throw new Error(`meta fake: unknown token ${value.slice(0, 8)}…`);
    t.expiresAt = this.now() - 1000;
  }

  /**
   * `/debug_token` data (docs/platforms/meta.md#token-health-check). `pageIds` fills granular_scopes
   * target_ids for pages_* scopes.
   */
  debug(input: string | undefined, pageIds: string[]): Record<string, unknown> {
    if (!input) throw graphError(100, '(#100) The parameter input_token is required');
    const t = this.tokens.get(input);
    if (!t) {
      return {
        data: {
          is_valid: false,
          scopes: [],
          error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
        },
      };
    }
    const scopes = this.scopesOf(t);
    const data: Record<string, unknown> = {
      app_id: this.app.appId,
      type: t.type,
      application: 'Herald (fake)',
      data_access_expires_at: Math.floor(t.issuedAt / 1000) + 90 * 86400,
      // 0 = never expires; Meta's page does not confirm that representation
      // (docs/platforms/meta.md#token-health-check).
      expires_at: t.expiresAt === 0 ? 0 : Math.floor(t.expiresAt / 1000),
      is_valid: true,
      issued_at: Math.floor(t.issuedAt / 1000),
      scopes,
      granular_scopes: scopes.map((scope) =>
        scope.startsWith('pages_') || scope.startsWith('instagram_')
          ? { scope, target_ids: t.pageId ? [t.pageId] : pageIds }
          : { scope },
      ),
      user_id: this.user.id,
    };
    if (t.type === 'PAGE') data.profile_id = t.pageId;
    try {
      this.check(input);
    } catch (err) {
      const e = (err as { init?: { code: number; subcode?: number; message: string } }).init;
      data.is_valid = false;
      data.error = { code: e?.code ?? 190, subcode: e?.subcode, message: e?.message ?? 'invalid' };
    }
    return { data };
  }
}
