// Threads OAuth (docs/platforms/threads.md#tokens): the consent window, code → short-lived token →
// long-lived token, the profile behind it, and refreshing the long-lived token in place before it
// dies. One token reaches exactly one Threads profile; there is no separate refresh token.
import { REFRESH_POLICY } from '../../domain/token-policy.js';
import type { Logger } from '../../log.js';
import {
  ConnectError,
  PlatformError,
  type AuthorizationRequest,
  type ConnectedAccount,
  type Connector,
  type ConnectResult,
  type RefreshAccount,
  type RefreshedTokens,
} from '../types.js';
import { record, text, ThreadsOAuthError, type ThreadsApi, type TokenAnswer } from './api.js';
import type { ThreadsSettings } from './settings.js';

/**
 * The first comment's permissions (https://developers.facebook.com/docs/threads/reply-management):
 * publishing a reply needs threads_manage_replies, reading the profile's replies back after a lost
 * answer threads_read_replies. Both need App Review like publishing.
 */
export const THREADS_COMMENT_SCOPES = [
  { scope: 'threads_manage_replies', why: 'the first comment, a reply to the post from the same profile' },
  { scope: 'threads_read_replies', why: 'finding that reply among the profile’s replies when its answer was lost' },
] as const;

/**
 * What Herald asks for: the profile, publishing, insights for the results pages and the first
 * comment's two (https://developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions).
 * Listing the profile's own posts after a lost publish needs only threads_basic.
 */
export const THREADS_SCOPES = [
  'threads_basic',
  'threads_content_publish',
  'threads_manage_insights',
  ...THREADS_COMMENT_SCOPES.map((s) => s.scope),
] as const;

const DAY = 24 * 3_600_000;
/** A long-lived token can be refreshed only once it is a day old (docs/platforms/threads.md#refreshing). */
const MIN_REFRESH_AGE_MS = DAY;
/** The documented lifetime, when an answer leaves `expires_in` out. */
const LONG_LIVED_S = 60 * 24 * 3_600;

const MISSING_HELP = [
  'Connect Threads again and leave every permission on the consent screen switched on, in particular publishing.',
  'Until the Meta app has passed App Review for threads_content_publish, ' +
    'only people added as Threads testers of the app can connect.',
];

/** The platform id stored on accounts and posts, and the connection's id (`/auth/threads/...`). */
export const THREADS_ID = 'threads';

export class ThreadsConnector implements Connector {
  readonly id = THREADS_ID;
  readonly label = 'Threads';
  readonly platforms = [THREADS_ID];

  constructor(
    private readonly settings: ThreadsSettings,
    private readonly api: ThreadsApi,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  private get configured(): boolean {
    return Boolean(this.settings.appId && this.settings.appSecret);
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    if (!this.configured)
      throw new ConnectError(
        'failed',
        'Threads is not set up on this server: the administrator must set the Threads app id and secret.',
      );
    const url = new URL(this.settings.authorizeUrl);
    url.searchParams.set('client_id', this.settings.appId!);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('scope', THREADS_SCOPES.join(','));
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('state', request.state);
    return url.toString();
  }

  async complete(callbackUrl: URL, request: AuthorizationRequest): Promise<ConnectResult> {
    const params = callbackUrl.searchParams;
    const error = params.get('error');
    if (error) {
      if (error === 'access_denied')
        throw new ConnectError('denied', 'Threads was not connected: the sign-in was cancelled on Threads.');
      const why = params.get('error_description') ?? error;
      throw new ConnectError('failed', `Threads did not complete the sign-in (${why}). Try again.`);
    }
    if (params.get('state') !== request.state)
      throw new ConnectError(
        'failed',
        'The Threads sign-in did not come back from the request Herald started. Try again.',
      );
    // Threads appends `#_` to the redirect; it is not part of the code
    // (docs/platforms/threads.md#authorization-window).
    const code = params.get('code')?.replace(/#_$/, '');
    if (!code) throw new ConnectError('failed', 'Threads came back without an authorization code. Try again.');

    let short: TokenAnswer;
    let long: TokenAnswer;
    try {
      short = await this.api.exchangeCode(code, request.redirectUri);
      long = await this.api.longLived(short.accessToken);
    } catch (err) {
      throw this.connectFailure(err);
    }
    const issuedAt = this.now();
    let me: Record<string, unknown>;
    try {
      me =
        record(
          (
            await this.api.call({
              path: '/me',
              token: long.accessToken,
              params: { fields: 'id,username,name,threads_profile_picture_url' },
            })
          ).data,
        ) ?? {};
    } catch (err) {
      throw this.connectFailure(err);
    }
    // `/me` gives the id as a string; the exchange's number is only a cross-check
    // (docs/platforms/threads.md#account-discovery).
    const id = text(me.id);
    if (!id) throw new ConnectError('failed', 'Threads answered without identifying the profile. Try again.');
    if (short.userId && short.userId !== id)
      throw new ConnectError(
        'failed',
        'Threads returned tokens for a different profile than the one signed in. Try again.',
      );
    await this.requirePublishing(id, long.accessToken);

    const username = text(me.username) ?? null;
    const account: ConnectedAccount = {
      platform: THREADS_ID,
      externalId: id,
      name: text(me.name) ?? (username ? `@${username}` : 'Threads profile'),
      username,
      accessToken: long.accessToken,
      refreshToken: null,
      tokenExpiresAt: issuedAt + (long.expiresIn ?? LONG_LIVED_S) * 1000,
      scopes: [...THREADS_SCOPES],
      platformData: {
        username,
        avatarUrl: text(me.threads_profile_picture_url) ?? null,
        tokenIssuedAt: issuedAt,
      },
    };
    this.log.info({ threadsUserId: id }, 'Threads profile connected');
    return { accounts: [account], warnings: [] };
  }

  /**
   * The consent screen lets people untick permissions and the token does not say which were
   * granted; reading the publishing limit needs threads_content_publish, so it tells.
   */
  private async requirePublishing(userId: string, token: string): Promise<void> {
    try {
      await this.api.call({
        path: `/${userId}/threads_publishing_limit`,
        token,
        userId,
        params: { fields: 'quota_usage,config' },
      });
    } catch (err) {
      if (err instanceof PlatformError && err.kind === 'permanent' && /^threads:(10|2\d\d)\b/.test(err.code))
        throw new ConnectError(
          'missing_permissions',
          'Threads was connected without permission to publish, so Herald cannot post to it.',
          { missing: ['threads_content_publish'], help: MISSING_HELP },
        );
      throw this.connectFailure(err);
    }
  }

  /**
   * Refreshes the long-lived token a week before it dies, once it is a day old; otherwise a health
   * check (`/me`) when asked. An expired token cannot be refreshed: a person must connect again.
   */
  async refresh(
    account: RefreshAccount,
    options: { check: boolean; signal: AbortSignal },
  ): Promise<RefreshedTokens | null> {
    const now = this.now();
    if (account.tokenExpiresAt !== null && account.tokenExpiresAt <= now)
      throw new PlatformError(
        'auth',
        'The Threads access expired (it was not renewed within 60 days); connect the account again.',
        'threads:expired',
      );
    const issuedAt =
      account.lastRefreshedAt ??
      (typeof account.platformData.tokenIssuedAt === 'number' ? account.platformData.tokenIssuedAt : null);
    const due = account.tokenExpiresAt !== null && account.tokenExpiresAt - now < REFRESH_POLICY.refreshAheadMs;
    const oldEnough = issuedAt === null || now - issuedAt >= MIN_REFRESH_AGE_MS;
    if (!due || !oldEnough) {
      if (options.check) await this.verify(account, options.signal);
      return null;
    }
    let answer: TokenAnswer;
    try {
      answer = await this.api.refresh(account.accessToken, options.signal);
    } catch (err) {
      if (err instanceof ThreadsOAuthError) {
        const auth = err.code === '190' || err.code === '102' || /access token/i.test(err.message);
        throw new PlatformError(
          auth ? 'auth' : 'permanent',
          auth
            ? `Threads no longer accepts Herald’s access (${err.message}); connect the account again.`
            : `Threads refused to renew the access (${err.message}).`,
          `threads:refresh_${err.code}`,
        );
      }
      throw err;
    }
    const at = this.now();
    this.log.info({ accountId: account.id, expiresIn: answer.expiresIn }, 'Threads token refreshed');
    // The answer's token is the one to keep, whether or not it is a new string.
    return { accessToken: answer.accessToken, tokenExpiresAt: at + (answer.expiresIn ?? LONG_LIVED_S) * 1000 };
  }

  private async verify(account: RefreshAccount, signal: AbortSignal): Promise<void> {
    const { data } = await this.api.call({ path: '/me', token: account.accessToken, params: { fields: 'id' }, signal });
    if (text(record(data)?.id) !== account.externalId)
      throw new PlatformError(
        'auth',
        'The Threads access now belongs to a different profile; connect it again.',
        'threads:id_mismatch',
      );
  }

  private connectFailure(err: unknown): ConnectError {
    if (err instanceof ConnectError) return err;
    if (err instanceof ThreadsOAuthError) {
      if (/client|secret|app/i.test(err.message) && !/code/i.test(err.message))
        return new ConnectError(
          'failed',
          'Threads refused Herald’s app credentials; the administrator must check the Threads app id and secret.',
        );
      return new ConnectError('failed', `Threads did not accept the sign-in (${err.message}). Try connecting again.`);
    }
    if (err instanceof PlatformError)
      return new ConnectError('failed', `Threads refused to describe the profile: ${err.message}`);
    return new ConnectError('failed', `Connecting Threads failed: ${(err as Error).message}`);
  }
}
