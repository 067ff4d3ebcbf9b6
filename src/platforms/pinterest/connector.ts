// Pinterest OAuth (docs/platforms/pinterest.md#oauth): the consent page, code → access and
// continuous refresh tokens, the user account behind them, and its boards (every page), kept in the
// account's platformData with a default board. Refreshing stores whatever the refresh returns: each
// refresh gives a new refresh token whose 60 days start again.
import { REFRESH_POLICY } from '../../domain/token-policy.js';
import type { Logger } from '../../log.js';
import {
  ConnectError,
  PlatformError,
  type AuthorizationRequest,
  type ConnectedAccount,
  type Connector,
  type ConnectResult,
  type PublishAccount,
  type RefreshAccount,
  type RefreshedTokens,
} from '../types.js';
import { PinterestOAuthError, record, text, type PinterestApi, type TokenAnswer } from './api.js';
import type { PinterestSettings } from './settings.js';

/**
 * What Herald asks for: the account, its boards and creating pins on them
 * (https://developers.pinterest.com/docs/getting-started/scopes/). Create Pin declares all four
 * board and pin scopes.
 */
export const PINTEREST_SCOPES = [
  'boards:read',
  'boards:write',
  'pins:read',
  'pins:write',
  'user_accounts:read',
] as const;

/** The platform id stored on accounts and posts, and the connection's id (`/auth/pinterest/...`). */
export const PINTEREST_ID = 'pinterest';

/** The documented access-token lifetime when an answer leaves `expires_in` out (30 days). */
const ACCESS_S = 30 * 24 * 3_600;
/** Boards per page when listing (the API allows 1 to 250). */
const BOARDS_PAGE = 100;
/** Board pages read at most: a runaway cursor must not loop forever. */
const MAX_BOARD_PAGES = 50;

export interface PinterestBoard {
  readonly id: string;
  readonly name: string;
  readonly privacy: string;
}

/** The boards a connection stored, as the publisher and pages read them back. */
export function storedBoards(platformData: Readonly<Record<string, unknown>>): PinterestBoard[] {
  const list = Array.isArray(platformData.boards) ? platformData.boards : [];
  return list.flatMap((b) => {
    const r = record(b);
    const id = text(r?.id);
    return id ? [{ id, name: text(r?.name) ?? id, privacy: text(r?.privacy) ?? 'PUBLIC' }] : [];
  });
}

export class PinterestConnector implements Connector {
  readonly id = PINTEREST_ID;
  readonly label = 'Pinterest';
  readonly platforms = [PINTEREST_ID];

  constructor(
    private readonly settings: PinterestSettings,
    private readonly api: PinterestApi,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    if (!this.settings.appId || !this.settings.appSecret)
      throw new ConnectError(
        'failed',
        'Pinterest is not set up on this server: the administrator must set the Pinterest app id and secret.',
      );
    const url = new URL(this.settings.authorizeUrl);
    url.searchParams.set('client_id', this.settings.appId);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', PINTEREST_SCOPES.join(','));
    url.searchParams.set('state', request.state);
    return url.toString();
  }

  async complete(callbackUrl: URL, request: AuthorizationRequest): Promise<ConnectResult> {
    const params = callbackUrl.searchParams;
    const error = params.get('error');
    if (error) {
      if (error === 'access_denied')
        throw new ConnectError('denied', 'Pinterest was not connected: the sign-in was cancelled on Pinterest.');
      throw new ConnectError(
        'failed',
        `Pinterest did not complete the sign-in (${params.get('error_description') ?? error}). Try again.`,
      );
    }
    if (params.get('state') !== request.state)
      throw new ConnectError(
        'failed',
        'The Pinterest sign-in did not come back from the request Herald started. Try again.',
      );
    const code = params.get('code');
    if (!code) throw new ConnectError('failed', 'Pinterest came back without an authorization code. Try again.');

    let tokens: TokenAnswer;
    try {
      tokens = await this.api.exchangeCode(code, request.redirectUri);
    } catch (err) {
      throw this.connectFailure(err);
    }
    // The person may untick scopes; the answer's `scope` says what was granted.
    const missing = PINTEREST_SCOPES.filter((s) => tokens.scopes.length > 0 && !tokens.scopes.includes(s));
    if (missing.length)
      throw new ConnectError(
        'missing_permissions',
        'Pinterest was connected without every permission Herald needs to list boards and create pins.',
        { missing, help: ['Connect Pinterest again and allow every permission on the consent screen.'] },
      );
    const issuedAt = this.now();
    let me: Record<string, unknown>;
    let boards: PinterestBoard[];
    try {
      me = record((await this.api.call({ path: '/user_account', token: tokens.accessToken })).data) ?? {};
      boards = await this.listBoards(tokens.accessToken);
    } catch (err) {
      throw this.connectFailure(err);
    }
    const username = text(me.username) ?? null;
    // `id` is in the v5 Account object; the username is the fallback for older answers.
    const id = text(me.id) ?? username;
    if (!id) throw new ConnectError('failed', 'Pinterest answered without identifying the account. Try again.');
    const account: ConnectedAccount = {
      platform: PINTEREST_ID,
      externalId: id,
      name: text(me.business_name) ?? username ?? 'Pinterest account',
      username,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      tokenExpiresAt: issuedAt + (tokens.expiresIn ?? ACCESS_S) * 1000,
      refreshExpiresAt: tokens.refreshExpiresAt,
      scopes: tokens.scopes.length ? [...tokens.scopes] : [...PINTEREST_SCOPES],
      platformData: {
        username,
        accountType: text(me.account_type) ?? null,
        avatarUrl: text(me.profile_image) ?? null,
        // The default board is chosen on the client page and kept across reconnections
        // (docs/platforms/pinterest.md#boards).
        boards,
      },
    };
    this.log.info({ pinterestUser: id, boards: boards.length }, 'Pinterest account connected');
    const warnings = boards.length
      ? []
      : ['Pinterest: the account has no boards yet. Create one on Pinterest and connect again to publish pins.'];
    return { accounts: [account], warnings };
  }

  /** Every board, page by page (https://developers.pinterest.com/docs/api/v5/boards-list). */
  async listBoards(token: string, signal?: AbortSignal): Promise<PinterestBoard[]> {
    const boards: PinterestBoard[] = [];
    let bookmark: string | undefined;
    for (let page = 0; page < MAX_BOARD_PAGES; page++) {
      const { data } = await this.api.call({
        path: '/boards',
        token,
        query: { page_size: BOARDS_PAGE, bookmark },
        ...(signal ? { signal } : {}),
      });
      const body = record(data);
      for (const item of Array.isArray(body?.items) ? body.items : []) {
        const b = record(item);
        const id = text(b?.id);
        if (id) boards.push({ id, name: text(b?.name) ?? id, privacy: text(b?.privacy) ?? 'PUBLIC' });
      }
      bookmark = text(body?.bookmark);
      if (!bookmark) break;
    }
    return boards;
  }

  /**
   * Renews the tokens when the access token or the refresh token's 60 days run short; otherwise a
   * health check (`/user_account`) when asked. A refused refresh token needs a person.
   */
  async refresh(
    account: RefreshAccount,
    options: { check: boolean; signal: AbortSignal },
  ): Promise<RefreshedTokens | null> {
    const now = this.now();
    const accessDue = account.tokenExpiresAt !== null && account.tokenExpiresAt - now < REFRESH_POLICY.accessAheadMs;
    const refreshDue =
      account.refreshExpiresAt !== null && account.refreshExpiresAt - now < REFRESH_POLICY.refreshAheadMs;
    if (!accessDue && !refreshDue) {
      if (options.check) await this.verify(account, options.signal);
      return null;
    }
    if (!account.refreshToken)
      throw new PlatformError(
        'auth',
        'Herald holds no Pinterest refresh token for this account; connect it again.',
        'pinterest:no_refresh_token',
      );
    let answer: TokenAnswer;
    try {
      answer = await this.api.refresh(account.refreshToken, options.signal);
    } catch (err) {
      if (err instanceof PinterestOAuthError)
        throw new PlatformError(
          err.status === 400 || err.status === 401 ? 'auth' : 'permanent',
          `Pinterest refused to renew Herald’s access (${err.message}); connect the account again.`,
          `pinterest:refresh_${err.code}`,
        );
      throw err;
    }
    const at = this.now();
    this.log.info({ accountId: account.id, expiresIn: answer.expiresIn }, 'Pinterest tokens refreshed');
    return {
      accessToken: answer.accessToken,
      // Continuous refresh: the answer's refresh token is the one to keep.
      refreshToken: answer.refreshToken ?? account.refreshToken,
      tokenExpiresAt: at + (answer.expiresIn ?? ACCESS_S) * 1000,
      refreshExpiresAt: answer.refreshExpiresAt ?? account.refreshExpiresAt,
      ...(answer.scopes.length ? { scopes: answer.scopes } : {}),
    };
  }

  async picture(account: PublishAccount, options: { signal: AbortSignal }): Promise<string | null> {
    const { data } = await this.api.call({ path: '/user_account', token: account.accessToken, signal: options.signal });
    return text(record(data)?.profile_image) ?? null;
  }

  private async verify(account: RefreshAccount, signal: AbortSignal): Promise<void> {
    const { data } = await this.api.call({ path: '/user_account', token: account.accessToken, signal });
    const me = record(data);
    const id = text(me?.id) ?? text(me?.username);
    if (id !== account.externalId)
      throw new PlatformError(
        'auth',
        'The Pinterest access now belongs to a different account; connect it again.',
        'pinterest:id_mismatch',
      );
  }

  private connectFailure(err: unknown): ConnectError {
    if (err instanceof ConnectError) return err;
    if (err instanceof PinterestOAuthError) {
      if (err.status === 401)
        return new ConnectError(
          'failed',
          'Pinterest refused Herald’s app credentials; the administrator must check the Pinterest app id and secret.',
        );
      return new ConnectError('failed', `Pinterest did not accept the sign-in (${err.message}). Try connecting again.`);
    }
    if (err instanceof PlatformError)
      return new ConnectError('failed', `Pinterest refused to describe the account: ${err.message}`);
    return new ConnectError('failed', `Connecting Pinterest failed: ${(err as Error).message}`);
  }
}
