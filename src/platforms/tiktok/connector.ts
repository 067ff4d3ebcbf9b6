// Login Kit v2 (docs/platforms/tiktok.md#login-kit): the consent URL, code → tokens → the TikTok user,
// and keeping the tokens alive. Refresh tokens rotate (newer docs,
// docs/platforms/tiktok.md#token-lifetimes-and-rotation): the pair returned by a refresh is the
// only one that works afterwards, so it is handed back whole for the caller to store at once.
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import { REFRESH_POLICY } from '../../domain/token-policy.js';
import { NetworkError } from '../http.js';
import {
  ConnectError,
  PlatformError,
  type AuthorizationRequest,
  type ConnectedAccount,
  type ConnectResult,
  type Connector,
  type PublishAccount,
  type RefreshAccount,
  type RefreshedTokens,
} from '../types.js';
import { networkFailure, TikTokOAuthError, type TikTokApi, type TokenResponse } from './api.js';
import { oauthRefreshError } from './errors.js';

/**
 * What Herald asks for: the user's name, Direct Post, uploads, and for results the profile stats
 * and the public videos (comma-separated; docs/platforms/tiktok.md#authorization-url,
 * docs/platforms/tiktok.md#results).
 */
export const TIKTOK_SCOPES = [
  'user.info.basic',
  'video.publish',
  'video.upload',
  'user.info.stats',
  'video.list',
] as const;
/** Without Direct Post there is nothing Herald can do for the account. */
const REQUIRED_SCOPES = ['video.publish'] as const;
/**
 * Posting blocks creator info answers (HTTP 200, docs/platforms/tiktok.md#creator-info): TikTok looked
 * the creator up by the token, so the token works. Any other refusal (a 429, the local budget) proves
 * nothing.
 */
const TOKEN_ACCEPTED_CODES: ReadonlySet<string> = new Set([
  'spam_risk_too_many_posts',
  'spam_risk_user_banned_from_posting',
  'reached_active_user_cap',
]);

const MISSING_HELP = [
  'Connect TikTok again and leave every permission on the consent screen switched on, ' +
    'in particular posting content ("video.publish").',
  'If the consent screen does not offer posting, ' +
    'the TikTok app must have the Content Posting API added in the TikTok developer portal.',
];

interface UserInfo {
  readonly open_id?: string;
  readonly union_id?: string;
  readonly display_name?: string;
  readonly username?: string;
  readonly avatar_url?: string;
}

function splitScopes(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export class TikTokConnector implements Connector {
  readonly id = 'tiktok' as const;
  readonly label = 'TikTok';
  readonly platforms = ['tiktok'] as const;

  constructor(
    private readonly config: Config,
    private readonly api: TikTokApi,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private get configured(): boolean {
    return Boolean(this.config.tiktok.clientKey && this.config.tiktok.clientSecret);
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    if (!this.configured)
      throw new ConnectError(
        'failed',
        'TikTok is not set up on this server: the administrator must set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET.',
      );
    const url = new URL(this.config.tiktok.authUrl);
    // The documented form ends in a slash (docs/platforms/tiktok.md#authorization-url); the config loader
    // trims trailing slashes.
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    url.searchParams.set('client_key', this.config.tiktok.clientKey!);
    url.searchParams.set('scope', TIKTOK_SCOPES.join(','));
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('state', request.state);
    // No PKCE: web apps do not use it, and TikTok's desktop variant is not RFC 7636
    // (docs/platforms/tiktok.md#authorization-url).
    return url.toString();
  }

  async complete(callbackUrl: URL, request: AuthorizationRequest): Promise<ConnectResult> {
    const params = callbackUrl.searchParams;
    const error = params.get('error');
    if (error) {
      if (error === 'access_denied')
        throw new ConnectError('denied', 'TikTok was not connected: the sign-in was cancelled on TikTok.');
      throw new ConnectError(
        'failed',
        `TikTok did not complete the sign-in (${error}` +
          `${params.get('error_description') ? `: ${params.get('error_description')}` : ''}). Try again.`,
      );
    }
    if (params.get('state') !== request.state)
      throw new ConnectError(
        'failed',
        'The TikTok sign-in did not come back from the request Herald started. Try again.',
      );
    const code = params.get('code');
    if (!code) throw new ConnectError('failed', 'TikTok came back without an authorization code. Try again.');
    // The callback lists what the person granted; they may untick permissions
    // (docs/platforms/tiktok.md#authorization-url).
    if (params.has('scopes')) this.requireScopes(splitScopes(params.get('scopes')));

    let tokens: TokenResponse;
    try {
      // URLSearchParams already URL-decoded the code, as the token call needs it
      // (docs/platforms/tiktok.md#token-endpoint).
      tokens = await this.api.token({ code, grant_type: 'authorization_code', redirect_uri: request.redirectUri });
    } catch (err) {
      throw this.connectFailure(err);
    }
    const scopes = splitScopes(tokens.scope);
    this.requireScopes(scopes);
    if (!tokens.open_id)
      throw new ConnectError('failed', 'TikTok answered without identifying the account. Try again.');

    const now = this.now();
    const user = await this.userInfo(tokens.access_token, scopes);
    const username = user.username ?? null;
    const account: ConnectedAccount = {
      platform: 'tiktok',
      externalId: tokens.open_id,
      name: user.display_name || (username ? `@${username}` : 'TikTok account'),
      username,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      tokenExpiresAt: now + tokens.expires_in * 1000,
      refreshExpiresAt: tokens.refresh_expires_in === null ? null : now + tokens.refresh_expires_in * 1000,
      scopes,
      platformData: {
        open_id: tokens.open_id,
        username,
        ...(user.union_id ? { union_id: user.union_id } : {}),
        avatarUrl: user.avatar_url || null,
      },
    };
    const warnings: string[] = [];
    if (!this.config.tiktok.audited) {
      warnings.push(
        "Until Herald's TikTok app passes TikTok's audit, its posts are visible only to the account owner, " +
          'and the account must be set to private.',
      );
    }
    this.log.info({ openId: tokens.open_id, scopes }, 'TikTok account connected');
    return { accounts: [account], warnings };
  }

  async refresh(
    account: RefreshAccount,
    options: { check: boolean; signal: AbortSignal },
  ): Promise<RefreshedTokens | null> {
    const now = this.now();
    const accessDue = account.tokenExpiresAt !== null && account.tokenExpiresAt - now < REFRESH_POLICY.accessAheadMs;
    const refreshDue =
      account.refreshExpiresAt !== null && account.refreshExpiresAt - now < REFRESH_POLICY.refreshAheadMs;
    if (options.check && !accessDue && !refreshDue) {
      await this.verify(account, options.signal);
      return null;
    }
    if (!this.configured)
      throw new PlatformError(
        'permanent',
        'TikTok is not set up on this server: set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET.',
        'not_configured',
      );
    if (!account.refreshToken)
      throw new PlatformError('auth', 'No TikTok refresh token is stored for this account.', 'no_refresh_token');

    let tokens: TokenResponse;
    try {
      tokens = await this.api.token(
        { grant_type: 'refresh_token', refresh_token: account.refreshToken },
        options.signal,
      );
    } catch (err) {
      if (err instanceof TikTokOAuthError)
        throw oauthRefreshError(err.status, err.code, err.description, err.retryAfterMs);
      if (err instanceof NetworkError) throw networkFailure(err, false);
      throw err;
    }
    if (tokens.open_id && tokens.open_id !== account.externalId) {
      throw new PlatformError('auth', 'TikTok returned tokens for a different account.', 'open_id_mismatch');
    }
    const at = this.now();
    this.log.info(
      {
        accountId: account.id,
        expiresIn: tokens.expires_in,
        rotated: tokens.refresh_token !== null && tokens.refresh_token !== account.refreshToken,
      },
      'TikTok tokens refreshed',
    );
    return {
      accessToken: tokens.access_token,
      // Absent from the answer means "keep the one you have"; present, it replaces it (rotation).
      ...(tokens.refresh_token !== null ? { refreshToken: tokens.refresh_token } : {}),
      tokenExpiresAt: at + tokens.expires_in * 1000,
      ...(tokens.refresh_expires_in !== null ? { refreshExpiresAt: at + tokens.refresh_expires_in * 1000 } : {}),
      ...(tokens.scope ? { scopes: splitScopes(tokens.scope) } : {}),
    };
  }

  /** The user's picture now (docs/platforms/tiktok.md#user-info); needs user.info.basic. */
  async picture(account: PublishAccount, options: { signal: AbortSignal }): Promise<string | null> {
    const reply = await this.api.call<{ user?: UserInfo }>(account.accessToken, {
      method: 'GET',
      path: '/v2/user/info/',
      query: { fields: 'open_id,avatar_url' },
      signal: options.signal,
    });
    return reply.data.user?.avatar_url || null;
  }

  /**
   * A health check with the cheapest authenticated call: user info
   * (docs/platforms/tiktok.md#user-info), or creator info for an account that did not grant
   * user.info.basic. A posting block answered by creator info still proves the token works; any other
   * failure is passed on.
   */
  private async verify(account: RefreshAccount, signal: AbortSignal): Promise<void> {
    if (account.scopes.length === 0 || account.scopes.includes('user.info.basic')) {
      await this.api.call(account.accessToken, {
        method: 'GET',
        path: '/v2/user/info/',
        query: { fields: 'open_id' },
        signal,
      });
      return;
    }
    try {
      await this.api.call(account.accessToken, {
        method: 'POST',
        path: '/v2/post/publish/creator_info/query/',
        endpoint: 'creatorInfo',
        signal,
      });
    } catch (err) {
      if (err instanceof PlatformError && TOKEN_ACCEPTED_CODES.has(err.code)) return;
      throw err;
    }
  }

  private requireScopes(granted: readonly string[]): void {
    const missing = REQUIRED_SCOPES.filter((s) => !granted.includes(s));
    if (missing.length === 0) return;
    throw new ConnectError(
      'missing_permissions',
      'TikTok was connected without permission to post, so Herald cannot publish to it.',
      { missing, help: MISSING_HELP },
    );
  }

  /**
   * Display name from `/v2/user/info/`; the username needs `user.info.profile`, which Herald
   * does not ask for, so it comes from creator info (video.publish) unless granted
   * (docs/platforms/tiktok.md#user-info).
   */
  private async userInfo(token: string, scopes: readonly string[]): Promise<UserInfo> {
    let user: UserInfo = {};
    if (scopes.includes('user.info.basic')) {
      const fields = [
        'open_id',
        'union_id',
        'avatar_url',
        'display_name',
        ...(scopes.includes('user.info.profile') ? ['username'] : []),
      ];
      try {
        const reply = await this.api.call<{ user?: UserInfo }>(token, {
          method: 'GET',
          path: '/v2/user/info/',
          query: { fields: fields.join(',') },
        });
        user = reply.data.user ?? {};
      } catch (err) {
        throw this.connectFailure(err);
      }
      if (user.username) return user;
    }
    try {
      const creator = await this.api.call<{
        creator_username?: string;
        creator_nickname?: string;
        creator_avatar_url?: string;
      }>(token, {
        method: 'POST',
        path: '/v2/post/publish/creator_info/query/',
        endpoint: 'creatorInfo',
      });
      return {
        ...user,
        ...(creator.data.creator_username ? { username: creator.data.creator_username } : {}),
        display_name: user.display_name || creator.data.creator_nickname || '',
        ...(user.avatar_url || !creator.data.creator_avatar_url ? {} : { avatar_url: creator.data.creator_avatar_url }),
      };
    } catch (err) {
      // Only the permalink needs the username, and the publisher reads it again before posting.
      this.log.warn({ err: (err as Error).message }, 'TikTok username not available at connect');
      return user;
    }
  }

  private connectFailure(err: unknown): ConnectError {
    if (err instanceof ConnectError) return err;
    if (err instanceof TikTokOAuthError) {
      if (err.code === 'invalid_client' || err.code === 'unauthorized_client') {
        return new ConnectError(
          'failed',
          "TikTok refused Herald's app credentials; " +
            'the administrator must check TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET.',
        );
      }
      return new ConnectError(
        'failed',
        `TikTok did not accept the sign-in (${err.code}${err.description ? `: ${err.description}` : ''}). ` +
          'Try connecting again.',
      );
    }
    if (err instanceof NetworkError)
      return new ConnectError('failed', 'TikTok could not be reached. Try again in a minute.');
    if (err instanceof PlatformError)
      return new ConnectError('failed', `TikTok refused to describe the account: ${err.message}`);
    return new ConnectError('failed', `Connecting TikTok failed: ${(err as Error).message}`);
  }
}
