import { createHash, randomBytes } from 'node:crypto';
import type { RecordedRequest, Reply } from './fake-server.js';

/**
 * TikTok Login Kit v2 as the fake speaks it (docs/platforms/tiktok.md#login-kit): authorize redirect, code and refresh
 * grants with rotating refresh tokens, revoke, and the bearer-token check of the content APIs.
 */

export interface TikTokUser {
  openId: string;
  unionId: string;
  displayName: string;
  username: string;
  avatarUrl: string;
  /** Scopes the user agrees to; null grants whatever is asked. The callback's `scopes` shows the result. */
  grantScopes: string[] | null;
  /** Press "Cancel" on the consent screen. */
  denyLogin: boolean;
  /**
   * Private accounts get FOLLOWER_OF_CREATOR instead of PUBLIC_TO_EVERYONE, and no duet/stitch
   * (docs/platforms/tiktok.md#creator-info).
   */
  privateAccount: boolean;
  /** Overrides the options derived from `privateAccount`. */
  privacyLevelOptions: string[] | null;
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoPostDurationSec: number;
  /**
   * creator_info answers this with HTTP 200, init with 403 (docs/platforms/tiktok.md#creator-info,
   * docs/platforms/tiktok.md#direct-post-video).
   */
  postingBlock: 'spam_risk_too_many_posts' | 'spam_risk_user_banned_from_posting' | 'reached_active_user_cap' | null;
  /**
   * Direct posts allowed per 24 h before `spam_risk_too_many_posts`; null = unlimited
   * (docs/platforms/tiktok.md#unaudited-apps-and-daily-caps).
   */
  dailyPostCap: number | null;
}

/** One authorization: tokens issued from it (and from its refreshes) share it. */
export interface TikTokSession {
  openId: string;
  scopes: string[];
  revoked: boolean;
}

export interface TikTokAccessToken {
  value: string;
  session: TikTokSession;
  expiresAt: number;
}

export interface TikTokRefreshToken {
  value: string;
  session: TikTokSession;
  expiresAt: number;
  /** Set once it has been exchanged; rotated tokens stop working. */
  usedAt: number | null;
}

interface AuthCode {
  openId: string;
  scopes: string[];
  redirectUri: string;
  codeChallenge: string | null;
  expiresAt: number;
  used: boolean;
}

export function logId(): string {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  return stamp + randomBytes(10).toString('hex').toUpperCase();
}

/**
 * OAuth endpoints answer flat `{error, error_description, log_id}`
 * (docs/platforms/tiktok.md#token-endpoint), not the v2 envelope.
 */
function oauthError(status: number, error: string, description: string): Reply {
  return { status, json: { error, error_description: description, log_id: logId() } };
}

function htmlError(message: string): Reply {
  return { status: 400, text: `<!DOCTYPE html><html><body><h1>TikTok</h1><p>${message}</p></body></html>` };
}

function secret(prefix: string): string {
  return `${prefix}.${randomBytes(30).toString('base64url').replace(/[-_]/g, 'x')}!${randomBytes(2).readUInt16BE()}.va`;
}

export interface TikTokAuthOptions {
  clientKey: string;
  clientSecret: string;
}

export class TikTokAuth {
  readonly accessTokens = new Map<string, TikTokAccessToken>();
  readonly refreshTokens = new Map<string, TikTokRefreshToken>();
  private readonly codes = new Map<string, AuthCode>();
  /** 86400 (older doc) or 7200 (newer); settable (docs/platforms/tiktok.md#token-lifetimes-and-rotation). */
  accessTtlSec = 86_400;
  /** 31536000 (older doc) or 15552000 (newer); settable (docs/platforms/tiktok.md#token-lifetimes-and-rotation). */
  refreshTtlSec = 31_536_000;
  /**
   * Each refresh returns a new refresh token and retires the old one (newer docs,
   * docs/platforms/tiktok.md#token-lifetimes-and-rotation).
   */
  rotateRefreshTokens = true;
  /** Registered redirect URIs; null accepts any absolute URL without fragment. */
  redirectUris: string[] | null = null;

  constructor(
    private readonly options: TikTokAuthOptions,
    private readonly userFor: () => TikTokUser,
    private readonly now: () => number,
  ) {}

  /**
   * `GET /v2/auth/authorize/` → 302 back with `code`, `scopes`, `state`
   * (docs/platforms/tiktok.md#authorization-url).
   */
  authorize(req: RecordedRequest): Reply {
    const q = req.query;
    if (q.client_key !== this.options.clientKey) return htmlError('client_key is invalid.');
    const redirect = q.redirect_uri;
    // Absolute, static (no query string), no fragment (docs/platforms/tiktok.md#authorization-url).
    if (!redirect || !URL.canParse(redirect) || redirect.includes('#') || redirect.includes('?')) {
      return htmlError('redirect_uri is missing, not absolute, or has a query string or fragment.');
    }
    if (this.redirectUris && !this.redirectUris.includes(redirect))
      return htmlError('redirect_uri is not registered for this app.');
    const back = new URL(redirect);
    const fail = (error: string, description: string): Reply => {
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', description);
      if (q.state !== undefined) back.searchParams.set('state', q.state);
      return { status: 302, redirect: back.toString() };
    };
    if (q.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be code.');
    // Scopes are comma-separated (docs/platforms/tiktok.md#authorization-url).
    const requested = (q.scope ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (requested.length === 0) return fail('invalid_scope', 'scope is required.');
    const user = this.userFor();
    if (user.denyLogin) return fail('access_denied', 'The user denied the authorization request.');
    const scopes = user.grantScopes ? requested.filter((s) => user.grantScopes!.includes(s)) : requested;
    // Real codes carry `*` and `!`; the token call must send them URL-decoded
    // (docs/platforms/tiktok.md#token-endpoint).
    const code = `${randomBytes(24).toString('base64url').replace(/[-_]/g, 'Q')}*3!${randomBytes(3).toString('hex')}`;
    this.codes.set(code, {
      openId: user.openId,
      scopes,
      redirectUri: redirect,
      codeChallenge: q.code_challenge ?? null,
      expiresAt: this.now() + 10 * 60_000,
      used: false,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('scopes', scopes.join(','));
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    return { status: 302, redirect: back.toString() };
  }

  /**
   * `POST /v2/oauth/token/` (docs/platforms/tiktok.md#token-endpoint). HTTP statuses for OAuth errors
   * are not documented; 400/401 here.
   */
  token(req: RecordedRequest): Reply {
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!type.includes('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.');
    }
    const b = req.body as Record<string, string>;
    if (b.client_key !== this.options.clientKey || b.client_secret !== this.options.clientSecret) {
      return oauthError(401, 'invalid_client', 'Client key or secret is invalid.');
    }
    if (b.grant_type === 'authorization_code') return this.redeem(b);
    if (b.grant_type === 'refresh_token') return this.refresh(b.refresh_token);
    return oauthError(400, 'unsupported_grant_type', `grant_type ${b.grant_type ?? '(missing)'} is not supported.`);
  }

  private redeem(b: Record<string, string>): Reply {
    const entry = b.code ? this.codes.get(b.code) : undefined;
    if (!entry || entry.used || entry.expiresAt <= this.now())
      return oauthError(400, 'invalid_grant', 'Authorization code is expired or has been used.');
    if (b.redirect_uri !== entry.redirectUri)
      return oauthError(400, 'invalid_grant', 'redirect_uri does not match the one used to authorize.');
    if (entry.codeChallenge !== null) {
      // Desktop PKCE: the challenge is the hex SHA-256 of the verifier (docs/platforms/tiktok.md#authorization-url).
      const hex = b.code_verifier ? createHash('sha256').update(b.code_verifier).digest('hex') : '';
      if (hex !== entry.codeChallenge)
        return oauthError(400, 'invalid_request', 'Code verifier or code challenge is invalid.');
    }
    entry.used = true;
    return this.issue({ openId: entry.openId, scopes: entry.scopes, revoked: false }, null);
  }

  private refresh(value: string | undefined): Reply {
    const old = value ? this.refreshTokens.get(value) : undefined;
    const usable =
      old && !old.session.revoked && old.expiresAt > this.now() && (old.usedAt === null || !this.rotateRefreshTokens);
    if (!old || !usable) return oauthError(400, 'invalid_grant', 'Refresh token is invalid or expired.');
    old.usedAt = this.now();
    return this.issue(old.session, this.rotateRefreshTokens ? null : old);
  }

  private issue(session: TikTokSession, keepRefresh: TikTokRefreshToken | null): Reply {
    const now = this.now();
    const access: TikTokAccessToken = { value: secret('act'), session, expiresAt: now + this.accessTtlSec * 1000 };
    this.accessTokens.set(access.value, access);
    const refresh = keepRefresh ?? {
      value: secret('rft'),
      session,
      expiresAt: now + this.refreshTtlSec * 1000,
      usedAt: null,
    };
    this.refreshTokens.set(refresh.value, refresh);
    return {
      json: {
        open_id: session.openId,
        scope: session.scopes.join(','),
        access_token: access.value,
        expires_in: this.accessTtlSec,
        refresh_token: refresh.value,
        refresh_expires_in: Math.round((refresh.expiresAt - now) / 1000),
        token_type: 'Bearer',
      },
    };
  }

  /** `POST /v2/oauth/revoke/`: the whole authorization dies (its refresh tokens too). */
  revoke(req: RecordedRequest): Reply {
    const b = (Buffer.isBuffer(req.body) ? {} : req.body) as Record<string, string>;
    if (b.client_key !== this.options.clientKey || b.client_secret !== this.options.clientSecret) {
      return oauthError(401, 'invalid_client', 'Client key or secret is invalid.');
    }
    const t = b.token ? this.accessTokens.get(b.token) : undefined;
    if (t) t.session.revoked = true;
    // Empty `{}` on success; an unknown token is treated as already revoked (docs/platforms/tiktok.md#token-endpoint).
    return { json: {} };
  }

  /** The live access token behind a bearer header, or null (→ 401 access_token_invalid). */
  lookup(authorization: string | string[] | undefined): TikTokAccessToken | null {
    const m = typeof authorization === 'string' ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
    const t = m ? this.accessTokens.get(m[1]!) : undefined;
    if (!t || t.session.revoked || t.expiresAt <= this.now()) return null;
    return t;
  }

  expireAccessToken(value: string): void {
    const t = this.accessTokens.get(value);
    if (!t) throw new Error('tiktok fake: unknown access token');
    t.expiresAt = this.now() - 1000;
  }

  /** As if the user removed the app: every token of that authorization stops working. */
  revokeToken(value: string): void {
    const t = this.accessTokens.get(value) ?? this.refreshTokens.get(value);
    if (!t) throw new Error('tiktok fake: unknown token');
    t.session.revoked = true;
  }
}
