// Google OAuth for Business Profile (docs/platforms/google-business.md#oauth): consent with offline
// access and PKCE, code → tokens → every location of every account the user manages, and keeping the
// access token alive with the refresh token. Google does not rotate refresh tokens: a refresh answer
// normally has none, and the stored one stays.
import { createHash } from 'node:crypto';
import { REFRESH_POLICY } from '../../domain/token-policy.js';
import type { Logger } from '../../log.js';
import { NetworkError } from '../http.js';
import {
  ConnectError,
  PlatformError,
  type AuthorizationRequest,
  type ConnectedAccount,
  type ConnectResult,
  type Connector,
  type RefreshAccount,
  type RefreshedTokens,
} from '../types.js';
import { GoogleOAuthError, networkFailure, type GoogleApi, type TokenResponse } from './api.js';
import { API_ACCESS_HELP, oauthError } from './errors.js';
import { BUSINESS_MANAGE, GOOGLE_SCOPES, scopesFor } from './settings.js';
import type { YouTubeApi } from './youtube-api.js';
import { YOUTUBE } from './youtube-video.js';

export const GOOGLE_BUSINESS = 'google_business' as const;

/** Accounts come 20 a page at most, locations 100 (docs/platforms/google-business.md#accounts-and-locations). */
const ACCOUNTS_PAGE = 20;
const LOCATIONS_PAGE = 100;
/** Guards against a paging loop; far beyond any agency's locations. */
const MAX_PAGES = 50;
const LOCATION_FIELDS = 'name,title,storefrontAddress,metadata';

const MISSING_HELP = ['Connect Google again and leave the permission to manage your Business Profile switched on.'];

interface Account {
  readonly name: string;
  readonly accountName?: string;
  readonly type?: string;
}

interface Location {
  readonly name: string;
  readonly title?: string;
  readonly storefrontAddress?: { addressLines?: string[]; locality?: string };
  readonly metadata?: { mapsUri?: string; newReviewUri?: string; placeId?: string };
}

interface Channel {
  readonly id: string;
  readonly snippet?: { title?: string; customUrl?: string; thumbnails?: { default?: { url?: string } } };
  readonly contentDetails?: { relatedPlaylists?: { uploads?: string } };
  readonly status?: { longUploadsStatus?: string };
}

function splitScopes(value: string): string[] {
  return value.split(' ').filter(Boolean);
}

/** `accounts/1/locations/2` from the account and the v1 `locations/2` (v4 needs both). */
export function locationPath(accountName: string, locationName: string): string {
  return `${accountName}/${locationName}`;
}

export class GoogleConnector implements Connector {
  readonly id = 'google' as const;
  readonly label = 'Google Business Profile';
  readonly platforms = [GOOGLE_BUSINESS, YOUTUBE];

  constructor(
    private readonly api: GoogleApi,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly youtube: YouTubeApi | null = null,
  ) {}

  private get configured(): boolean {
    return Boolean(this.api.settings.clientId && this.api.settings.clientSecret);
  }

  /**
   * The main button asks for the configured products' scopes; "Connect YouTube" (the descriptor's
   * `youtube` entry) for YouTube's only, so a Business-only client never sees them
   * (docs/platforms/youtube.md#scopes).
   */
  private scopes(entry: string | undefined): string[] {
    if (entry === 'youtube' && this.youtube) return scopesFor(['youtube']);
    return scopesFor(this.api.settings.products);
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    if (!this.configured)
      throw new ConnectError(
        'failed',
        'Google is not set up on this server: the administrator must set the Google OAuth client id and secret.',
      );
    const url = new URL(this.api.settings.authUrl);
    const q = url.searchParams;
    q.set('client_id', this.api.settings.clientId!);
    q.set('redirect_uri', request.redirectUri);
    q.set('response_type', 'code');
    q.set('scope', this.scopes(request.entry).join(' '));
    q.set('state', request.state);
    // A refresh token comes only with offline access, and only when consent is shown
    // (docs/platforms/google-business.md#oauth).
    q.set('access_type', 'offline');
    q.set('prompt', 'consent');
    // Incremental authorization: what was granted before stays granted, so connecting YouTube
    // later keeps Business Profile (docs/platforms/youtube.md#scopes).
    q.set('include_granted_scopes', 'true');
    q.set('code_challenge', createHash('sha256').update(request.codeVerifier).digest('base64url'));
    q.set('code_challenge_method', 'S256');
    return url.toString();
  }

  async complete(callbackUrl: URL, request: AuthorizationRequest): Promise<ConnectResult> {
    const params = callbackUrl.searchParams;
    const error = params.get('error');
    if (error) {
      if (error === 'access_denied')
        throw new ConnectError('denied', 'Google was not connected: the sign-in was cancelled on Google.');
      throw new ConnectError('failed', `Google did not complete the sign-in (${error}). Try again.`);
    }
    if (params.get('state') !== request.state)
      throw new ConnectError(
        'failed',
        'The Google sign-in did not come back from the request Herald started. Try again.',
      );
    const code = params.get('code');
    if (!code) throw new ConnectError('failed', 'Google came back without an authorization code. Try again.');

    let tokens: TokenResponse;
    try {
      tokens = await this.api.token({
        code,
        code_verifier: request.codeVerifier,
        grant_type: 'authorization_code',
        redirect_uri: request.redirectUri,
      });
    } catch (err) {
      throw this.connectFailure(err);
    }
    // With granular consent the person may untick a scope; the token's scope says what was granted.
    const scopes = splitScopes(tokens.scope);
    const youtube = this.youtube !== null && GOOGLE_SCOPES.youtube.every((s) => scopes.includes(s));
    if (!scopes.includes(BUSINESS_MANAGE) && !youtube)
      throw new ConnectError(
        'missing_permissions',
        'Google was connected without permission to manage the Business Profile, so Herald cannot post to it.',
        { missing: [BUSINESS_MANAGE], help: MISSING_HELP },
      );
    if (!tokens.refresh_token)
      throw new ConnectError(
        'failed',
        'Google did not grant offline access, so Herald could post for one hour only. ' +
          'Remove Herald under "Third-party apps" in your Google account, then connect again.',
      );

    const at = this.now();
    const accounts: ConnectedAccount[] = [];
    let locationsSeen = 0;
    try {
      const business = scopes.includes(BUSINESS_MANAGE) ? await this.listAccounts(tokens.access_token) : [];
      for (const account of business) {
        for (const location of await this.listLocations(tokens.access_token, account.name)) {
          locationsSeen++;
          const path = locationPath(account.name, location.name);
          const address = [
            ...(location.storefrontAddress?.addressLines ?? []),
            location.storefrontAddress?.locality ?? '',
          ]
            .filter(Boolean)
            .join(', ');
          accounts.push({
            platform: GOOGLE_BUSINESS,
            externalId: path,
            name: location.title || path,
            username: null,
            accessToken: tokens.access_token,
            refreshToken: tokens.refresh_token,
            tokenExpiresAt: at + tokens.expires_in * 1000,
            refreshExpiresAt: null,
            scopes,
            platformData: {
              locationName: path,
              accountName: account.name,
              accountLabel: account.accountName ?? null,
              accountType: account.type ?? null,
              address: address || null,
              mapsUri: location.metadata?.mapsUri ?? null,
            },
          });
        }
      }
      if (youtube) accounts.push(...(await this.channels(tokens, scopes, at)));
    } catch (err) {
      throw this.connectFailure(err);
    }
    if (accounts.length === 0 && youtube)
      throw new ConnectError('no_accounts', 'This Google user has no YouTube channel.', {
        help: [
          'Create a channel on youtube.com with this Google user (or choose a brand account), then connect again.',
        ],
      });
    if (locationsSeen === 0 && accounts.length === 0)
      throw new ConnectError('no_accounts', 'This Google user does not manage any Business Profile location.', {
        help: [
          'Sign in with a Google user who is an owner or manager of the business on business.google.com.',
          'A personal account shows only the locations it owns directly; ' +
            'locations shared through a business group appear under that group once the user manages it.',
        ],
      });
    this.log.info({ locations: accounts.length, scopes }, 'Google Business Profile connected');
    return { accounts, warnings: [] };
  }

  /**
   * The channel the signed-in Google user (or the brand account chosen on the consent screen)
   * owns: `channels.list mine=true` (docs/platforms/youtube.md#channels).
   */
  private async channels(tokens: TokenResponse, scopes: string[], at: number): Promise<ConnectedAccount[]> {
    const reply = await this.youtube!.list<{ items?: Channel[] }>(tokens.access_token, 'channels', {
      part: 'id,snippet,contentDetails,status',
      mine: 'true',
    });
    return (reply.items ?? []).map((ch) => ({
      platform: YOUTUBE,
      externalId: ch.id,
      name: ch.snippet?.title || ch.id,
      username: ch.snippet?.customUrl?.replace(/^@/, '') ?? null,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      tokenExpiresAt: at + tokens.expires_in * 1000,
      refreshExpiresAt: null,
      scopes,
      platformData: {
        avatarUrl: ch.snippet?.thumbnails?.default?.url ?? null,
        uploadsPlaylist: ch.contentDetails?.relatedPlaylists?.uploads ?? null,
        longUploads: ch.status?.longUploadsStatus ?? null,
      },
    }));
  }

  /** Every account the user can reach, page by page (20 at most per page). */
  async listAccounts(token: string, signal?: AbortSignal): Promise<Account[]> {
    const out: Account[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const reply = await this.api.call<{ accounts?: Account[]; nextPageToken?: string }>(token, {
        api: 'accounts',
        method: 'GET',
        path: '/v1/accounts',
        query: { pageSize: ACCOUNTS_PAGE, pageToken },
        ...(signal ? { signal } : {}),
      });
      out.push(...(reply.data.accounts ?? []));
      pageToken = reply.data.nextPageToken || undefined;
      if (!pageToken) break;
    }
    return out;
  }

  /** The locations of one account, page by page; `readMask` is required by Google. */
  async listLocations(token: string, accountName: string, signal?: AbortSignal): Promise<Location[]> {
    const out: Location[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const reply = await this.api.call<{ locations?: Location[]; nextPageToken?: string }>(token, {
        api: 'locations',
        method: 'GET',
        path: `/v1/${accountName}/locations`,
        query: { readMask: LOCATION_FIELDS, pageSize: LOCATIONS_PAGE, pageToken },
        ...(signal ? { signal } : {}),
      });
      out.push(...(reply.data.locations ?? []));
      pageToken = reply.data.nextPageToken || undefined;
      if (!pageToken) break;
    }
    return out;
  }

  async refresh(
    account: RefreshAccount,
    options: { check: boolean; signal: AbortSignal },
  ): Promise<RefreshedTokens | null> {
    const now = this.now();
    const due = account.tokenExpiresAt === null || account.tokenExpiresAt - now < REFRESH_POLICY.accessAheadMs;
    if (options.check && !due) {
      await this.verify(account, options.signal);
      return null;
    }
    if (!this.configured)
      throw new PlatformError(
        'permanent',
        'Google is not set up on this server: set the Google OAuth client id and secret.',
        'not_configured',
      );
    if (!account.refreshToken)
      throw new PlatformError('auth', 'No Google refresh token is stored for this account.', 'no_refresh_token');
    let tokens: TokenResponse;
    try {
      tokens = await this.api.token(
        { grant_type: 'refresh_token', refresh_token: account.refreshToken },
        options.signal,
      );
    } catch (err) {
      if (err instanceof GoogleOAuthError) throw oauthError(err.status, err.code, err.description, err.retryAfterMs);
      if (err instanceof NetworkError) throw networkFailure(err, false);
      throw err;
    }
    const at = this.now();
    this.log.info({ accountId: account.id, expiresIn: tokens.expires_in }, 'Google tokens refreshed');
    return {
      accessToken: tokens.access_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      tokenExpiresAt: at + tokens.expires_in * 1000,
      ...(tokens.scope ? { scopes: splitScopes(tokens.scope) } : {}),
    };
  }

  /** A health check: read the location's name, which needs a working token and access to the location. */
  private async verify(account: RefreshAccount, signal: AbortSignal): Promise<void> {
    if (account.platform === YOUTUBE) {
      if (!this.youtube) return;
      const reply = await this.youtube.list<{ items?: Channel[] }>(
        account.accessToken,
        'channels',
        { part: 'id', id: account.externalId },
        signal,
      );
      if (!reply.items?.length)
        throw new PlatformError(
          'auth',
          'YouTube no longer shows this channel to Herald; reconnect YouTube.',
          'no_channel',
        );
      return;
    }
    const location = account.externalId.replace(/^accounts\/[^/]+\//, '');
    await this.api.call(account.accessToken, {
      api: 'locations',
      method: 'GET',
      path: `/v1/${location}`,
      query: { readMask: 'name' },
      signal,
    });
  }

  private connectFailure(err: unknown): ConnectError {
    if (err instanceof ConnectError) return err;
    if (err instanceof GoogleOAuthError) {
      if (err.code === 'invalid_client' || err.code === 'unauthorized_client')
        return new ConnectError(
          'failed',
          "Google refused Herald's OAuth client; the administrator must check the Google client id and secret.",
        );
      if (err.code === 'redirect_uri_mismatch')
        return new ConnectError(
          'failed',
          'Google refused the return address; ' +
            "the administrator must add Herald's callback URL to the OAuth client exactly.",
        );
      return new ConnectError(
        'failed',
        `Google did not accept the sign-in (${err.code}${err.description ? `: ${err.description}` : ''}). ` +
          'Try connecting again.',
      );
    }
    if (err instanceof NetworkError)
      return new ConnectError('failed', 'Google could not be reached. Try again in a minute.');
    if (err instanceof PlatformError) {
      if (err.kind === 'rate_limited')
        return new ConnectError(
          'failed',
          `Google refused to list the Business Profile locations as over quota. ${API_ACCESS_HELP}`,
          { help: [API_ACCESS_HELP] },
        );
      return new ConnectError('failed', `Google refused to list the Business Profile locations: ${err.message}`);
    }
    return new ConnectError('failed', `Connecting Google failed: ${(err as Error).message}`);
  }
}
