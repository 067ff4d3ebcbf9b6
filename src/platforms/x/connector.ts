// X OAuth 2.0 with PKCE (docs/platforms/x.md#oauth): consent, code + verifier → an access token
// (2 hours) and a refresh token that rotates on every use. The refresh job stores each new pair in
// one commit before anything uses it; presenting a rotated refresh token again can revoke them all.
import { createHash } from 'node:crypto';
import { REFRESH_POLICY } from '../../domain/token-policy.js';
import type { Logger } from '../../log.js';
import {
  ConnectError,
  PlatformError,
  type AuthorizationRequest,
  type Connector,
  type ConnectResult,
  type PublishAccount,
  type RefreshAccount,
  type RefreshedTokens,
} from '../types.js';
import { record, str, XOAuthError, type XApi, type XTokens } from './api.js';
import type { XSettings } from './config.js';

/**
 * Publishing, reading back after a lost answer, media, and a refresh token
 * (https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code).
 */
export const X_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'] as const;

/** The platform id stored on accounts and posts, and the connection's id (`/auth/x/...`). */
export const X_ID = 'x';
const ACCESS_S = 7_200;

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export class XConnector implements Connector {
  readonly id = X_ID;
  readonly label = 'X';
  readonly platforms = [X_ID];

  constructor(
    private readonly settings: XSettings,
    private readonly api: XApi,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    if (!this.settings.clientId)
      throw new ConnectError('failed', 'X is not set up on this server: the administrator must set the X client id.');
    const url = new URL(this.settings.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.settings.clientId);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('scope', X_SCOPES.join(' '));
    url.searchParams.set('state', request.state);
    url.searchParams.set('code_challenge', pkceChallenge(request.codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return url.toString();
  }

  async complete(callbackUrl: URL, request: AuthorizationRequest): Promise<ConnectResult> {
    const params = callbackUrl.searchParams;
    const error = params.get('error');
    if (error === 'access_denied') throw new ConnectError('denied', 'X was not connected: the sign-in was cancelled.');
    if (error) throw new ConnectError('failed', `X did not complete the sign-in (${error}). Try again.`);
    if (params.get('state') !== request.state)
      throw new ConnectError('failed', 'The X sign-in did not come back from the request Herald started. Try again.');
    const code = params.get('code');
    if (!code) throw new ConnectError('failed', 'X came back without an authorization code. Try again.');
    let tokens: XTokens;
    try {
      // The code lives 30 seconds: exchanged at once (docs/platforms/x.md#oauth).
      tokens = await this.api.token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: request.redirectUri,
        code_verifier: request.codeVerifier,
      });
    } catch (err) {
      if (err instanceof XOAuthError && /client|authorization header/i.test(`${err.code} ${err.message}`))
        throw new ConnectError('failed', 'X refused Herald’s app credentials; the administrator must check them.');
      throw new ConnectError('failed', `X did not accept the sign-in (${(err as Error).message}). Try again.`);
    }
    const missing = X_SCOPES.filter((s) => tokens.scopes.length && !tokens.scopes.includes(s));
    if (missing.length || !tokens.refreshToken)
      throw new ConnectError('missing_permissions', 'X was connected without every permission Herald needs.', {
        missing: missing.length ? missing : ['offline.access'],
        help: ['Connect X again and allow everything the consent screen asks for.'],
      });
    const issuedAt = this.now();
    const me = await this.me(tokens.accessToken).catch((err: unknown) => {
      throw new ConnectError('failed', `X refused to describe the account: ${(err as Error).message}`);
    });
    const username = str(me.username) ?? null;
    this.log.info({ xUserId: me.id }, 'X account connected');
    return {
      accounts: [
        {
          platform: X_ID,
          externalId: String(me.id),
          name: str(me.name) ?? (username ? `@${username}` : 'X account'),
          username,
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          tokenExpiresAt: issuedAt + (tokens.expiresIn ?? ACCESS_S) * 1000,
          scopes: tokens.scopes.length ? tokens.scopes : [...X_SCOPES],
          platformData: { username, avatarUrl: str(me.profile_image_url) ?? null },
        },
      ],
      warnings: [],
    };
  }

  private async me(token: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { data } = await this.api.call({
      path: '/2/users/me',
      token,
      query: { 'user.fields': 'profile_image_url,username,name' },
      ...(signal ? { signal } : {}),
    });
    const me = record(data.data);
    if (!me || !str(me.id)) throw new PlatformError('transient', 'X answered without the account.', 'x:no_user');
    return me;
  }

  /**
   * Renews the pair when the access token is due; otherwise a health check when asked. The answer's
   * refresh token replaces the old one, which X no longer accepts (docs/platforms/x.md#refresh-tokens).
   */
  async refresh(
    account: RefreshAccount,
    options: { check: boolean; signal: AbortSignal },
  ): Promise<RefreshedTokens | null> {
    const now = this.now();
    const due = account.tokenExpiresAt === null || account.tokenExpiresAt - now < REFRESH_POLICY.accessAheadMs;
    if (!due) {
      if (options.check) await this.me(account.accessToken, options.signal);
      return null;
    }
    return this.renew(account, options.signal);
  }

  async renew(account: PublishAccount, signal?: AbortSignal): Promise<RefreshedTokens> {
    if (!account.refreshToken)
      throw new PlatformError('auth', 'X gave no refresh token for this account; connect it again.', 'x:no_refresh');
    let tokens: XTokens;
    try {
      tokens = await this.api.token({ grant_type: 'refresh_token', refresh_token: account.refreshToken }, signal);
    } catch (err) {
      if (err instanceof XOAuthError)
        throw new PlatformError(
          err.code === 'invalid_request' || err.code === 'invalid_grant' || err.status === 401 ? 'auth' : 'permanent',
          `X no longer renews Herald’s access (${err.message}); connect the account again.`,
          `x:refresh_${err.code}`,
        );
      throw err;
    }
    this.log.info({ accountId: account.id }, 'X tokens renewed');
    return {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken ?? account.refreshToken,
      tokenExpiresAt: this.now() + (tokens.expiresIn ?? ACCESS_S) * 1000,
      ...(tokens.scopes.length ? { scopes: tokens.scopes } : {}),
    };
  }

  async picture(account: PublishAccount, options: { signal: AbortSignal }): Promise<string | null> {
    return str((await this.me(account.accessToken, options.signal)).profile_image_url) ?? null;
  }
}
