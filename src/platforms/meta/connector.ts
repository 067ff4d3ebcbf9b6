// Facebook Login (docs/platforms/meta.md#facebook-login): the authorization code flow through openid-client, then the
// long-lived user token, the granted permissions, every Page (directly and through Business
// Manager) with its Page token, and the Instagram business account linked to each Page.
import * as oidc from 'openid-client';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import { REFRESH_POLICY } from '../../domain/token-policy.js';
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
import { authMessage } from './errors.js';
import { record, text, type GraphClient } from './graph.js';
import { listPages } from './pages.js';

/**
 * Pages (incl. Business Manager ones), Instagram publishing, Page videos, and results (Page and
 * Instagram insights) (docs/platforms/meta.md#permissions, docs/platforms/meta.md#results).
 */
export const META_SCOPES = [
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_posts',
  'business_management',
  'instagram_basic',
  'instagram_content_publish',
  'publish_video',
  'read_insights',
  'instagram_manage_insights',
  // First comments (docs/platforms/meta.md#first-comments): asked always, never required.
  'pages_manage_engagement',
  'instagram_manage_comments',
] as const;

/** Without these no Page can be listed or published to (docs/platforms/meta.md#permissions). */
const REQUIRED = ['pages_show_list', 'pages_manage_posts', 'pages_read_engagement'];
const INSTAGRAM = ['instagram_basic', 'instagram_content_publish'];
const CONTENT_TASKS = ['CREATE_CONTENT', 'MANAGE'];

const RECONNECT_HELP = [
  'Click "Connect Facebook & Instagram" again.',
  'When Facebook asks, choose "Edit access" and leave every permission switched on.',
  'You need a role on each Page that allows creating content (Facebook access with "Content" or full control).',
];

export interface MetaConnectorOptions {
  readonly now: () => number;
  /** `limit` for Page listings; `paging.next` is followed either way (docs/platforms/meta.md#listing-pages). */
  readonly pageSize: number;
  readonly requestTimeoutMs: number;
}

export class MetaConnector implements Connector {
  readonly id = 'meta' as const;
  readonly label = 'Facebook & Instagram';
  readonly platforms = ['facebook', 'instagram'] as const;
  private oauth: oidc.Configuration | null = null;

  constructor(
    private readonly deps: { config: Config; log: Logger; graph: GraphClient },
    private readonly options: MetaConnectorOptions,
  ) {}

  private credentials(): { appId: string; appSecret: string } {
    const { appId, appSecret } = this.deps.config.meta;
    if (!appId || !appSecret)
      throw new ConnectError(
        'failed',
        'Facebook is not set up on this server: the administrator must set META_APP_ID and META_APP_SECRET.',
      );
    return { appId, appSecret };
  }

  /** openid-client configured by hand: Facebook Login has no discovery document. */
  private configuration(): oidc.Configuration {
    if (this.oauth) return this.oauth;
    const { appId, appSecret } = this.credentials();
    const { dialogUrl, graphUrl } = this.deps.config.meta;
    const server: oidc.ServerMetadata = {
      issuer: new URL(dialogUrl).origin,
      authorization_endpoint: dialogUrl,
      token_endpoint: `${graphUrl.replace(/\/+$/, '')}/oauth/access_token`,
    };
    const configuration = new oidc.Configuration(
      server,
      appId,
      { client_secret: appSecret, token_endpoint_auth_method: 'client_secret_post' },
      oidc.ClientSecretPost(appSecret),
    );
    configuration.timeout = Math.ceil(this.options.requestTimeoutMs / 1000);
    // openid-client refuses http:// endpoints; only the test fakes listen on plain http.
    if (dialogUrl.startsWith('http://') || graphUrl.startsWith('http://')) oidc.allowInsecureRequests(configuration);
    this.oauth = configuration;
    return configuration;
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    // buildAuthorizationUrl adds client_id and response_type=code itself; scope is comma-separated
    // (docs/platforms/meta.md#authorization-dialog).
    const url = oidc.buildAuthorizationUrl(this.configuration(), {
      redirect_uri: request.redirectUri,
      scope: META_SCOPES.join(','),
      state: request.state,
    });
    return url.toString();
  }

  async complete(callbackUrl: URL, request: AuthorizationRequest): Promise<ConnectResult> {
    const denied = callbackUrl.searchParams.get('error');
    if (denied) {
      const reason = callbackUrl.searchParams.get('error_reason');
      const description = callbackUrl.searchParams.get('error_description');
      throw new ConnectError(
        'denied',
        reason === 'user_denied' || denied === 'access_denied'
          ? 'Facebook says the connection was cancelled, so Herald got no access. ' +
              'Start again and choose "Continue" to connect.'
          : `Facebook did not connect the account: ${description ?? denied}.`,
      );
    }
    const shortLived = await this.exchangeCode(callbackUrl, request);
    const warnings: string[] = [];
    try {
      const long = await this.longLived(shortLived);
      const granted = await this.grantedPermissions(long.token);
      const missing = REQUIRED.filter((p) => !granted.includes(p));
      if (missing.length) {
        throw new ConnectError(
          'missing_permissions',
          `Facebook did not grant ${missing.join(', ')}, which Herald needs to list and publish to Pages.`,
          { missing, help: RECONNECT_HELP },
        );
      }
      const igMissing = INSTAGRAM.filter((p) => !granted.includes(p));
      const withInstagram = igMissing.length === 0;
      if (!withInstagram)
        warnings.push(
          `Instagram was not connected: ${igMissing.join(' and ')} ` +
            `${igMissing.length > 1 ? 'were' : 'was'} not granted. Connect again and allow Instagram to add it.`,
        );
      if (!granted.includes('publish_video'))
        warnings.push('Videos cannot be published to Facebook Pages: publish_video was not granted.');
      // Publishing works without them; the results pages say "reconnect to see results"
      // (docs/platforms/meta.md#permissions-for-results).
      const noResults = ['read_insights', ...(withInstagram ? ['instagram_manage_insights'] : [])].filter(
        (p) => !granted.includes(p),
      );
      if (noResults.length)
        warnings.push(
          `Results cannot be shown: ${noResults.join(' and ')} ${noResults.length > 1 ? 'were' : 'was'} ` +
            'not granted. Connect again and allow it to see the numbers of your posts.',
        );
      // Without them posts go out and their first comments are skipped with a reconnect hint
      // (docs/platforms/meta.md#first-comments).
      const noComments = ['pages_manage_engagement', ...(withInstagram ? ['instagram_manage_comments'] : [])].filter(
        (p) => !granted.includes(p),
      );
      if (noComments.length)
        warnings.push(
          `First comments cannot be added: ${noComments.join(' and ')} ${noComments.length > 1 ? 'were' : 'was'} ` +
            'not granted. Connect again and allow it to add them.',
        );
      const pages = await listPages(
        this.deps.graph,
        long.token,
        { withInstagram, withBusiness: granted.includes('business_management'), pageSize: this.options.pageSize },
        warnings,
      );
      const accounts: ConnectedAccount[] = [];
      for (const page of pages) {
        if (!page.token) {
          warnings.push(
            `Page ${page.name}: Facebook gave no access to it; your role on the Page may not allow publishing.`,
          );
          continue;
        }
        if (page.tasks && !page.tasks.some((t) => CONTENT_TASKS.includes(t))) {
          warnings.push(`Page ${page.name}: your role on the Page does not allow creating content, so it was skipped.`);
          continue;
        }
        accounts.push({
          platform: 'facebook',
          externalId: page.id,
          name: page.name,
          username: page.username,
          accessToken: page.token,
          // A Page token derived from a long-lived user token does not expire; the user token is
          // kept to derive a new Page token later (docs/platforms/meta.md#token-lifetimes).
          refreshToken: long.token,
          tokenExpiresAt: null,
          refreshExpiresAt: long.expiresAt,
          scopes: granted,
          platformData: { category: page.category, via: page.via, avatarUrl: page.picture, scopes: granted },
        });
        if (!withInstagram) continue;
        if (!page.instagram) {
          warnings.push(`Instagram: no business account is linked to Page ${page.name}.`);
          continue;
        }
        accounts.push({
          platform: 'instagram',
          externalId: page.instagram.id,
          name: page.instagram.name ?? page.instagram.username ?? page.name,
          username: page.instagram.username,
          // Instagram through Facebook Login publishes with the linked Page's token
          // (docs/platforms/meta.md#instagram-through-facebook-login).
          accessToken: page.token,
          refreshToken: null,
          tokenExpiresAt: null,
          refreshExpiresAt: null,
          scopes: granted,
          parentExternalId: page.id,
          platformData: { pageName: page.name, avatarUrl: page.instagram.picture, scopes: granted },
        });
      }
      if (!accounts.some((a) => a.platform === 'facebook')) {
        throw new ConnectError('no_accounts', 'Facebook shows no Page this login can publish to.', {
          help: [
            'Herald publishes to Facebook Pages (and the Instagram business accounts linked to them), ' +
              'not to personal profiles.',
            'Check that you have a role on the Page that allows creating content.',
            'When Facebook asks which Pages Herald may use, select them all ' +
              '(choose "Edit access" to change an earlier choice).',
            // Pages that were found but skipped, and why.
            ...warnings.filter((w) => w.startsWith('Page ')),
          ],
        });
      }
      return { accounts, warnings };
    } catch (err) {
      if (err instanceof ConnectError) throw err;
      if (err instanceof PlatformError)
        throw new ConnectError('failed', `Facebook did not complete the connection: ${err.message}`);
      throw err;
    }
  }

  /** The code → short-lived user token exchange (docs/platforms/meta.md#code-exchange), through openid-client. */
  private async exchangeCode(callbackUrl: URL, request: AuthorizationRequest): Promise<string> {
    // The token request's redirect_uri is derived from this URL (minus its query) and must be
    // byte-identical to the dialog's (docs/platforms/meta.md#authorization-dialog): rebuild it from the
    // registered redirect URI rather than trusting the URL the request arrived on (proxies).
    const current = new URL(request.redirectUri);
    current.search = callbackUrl.search;
    try {
      const tokens = await oidc.authorizationCodeGrant(this.configuration(), current, { expectedState: request.state });
      return tokens.access_token;
    } catch (err) {
      if (err instanceof ConnectError) throw err;
      const detail = await describeOAuthError(err);
      this.deps.log.warn({ err: detail }, 'Facebook code exchange failed');
      if (/state/i.test(detail))
        throw new ConnectError(
          'failed',
          'The answer from Facebook does not belong to this connection attempt. Start again from the connect button.',
        );
      throw new ConnectError(
        'failed',
        `Facebook did not accept the login (${detail}). Start again from the connect button.`,
      );
    }
  }

  /**
   * Short-lived (or expiring long-lived) user token → a new ~60-day token
   * (docs/platforms/meta.md#long-lived-user-token).
   */
  private async longLived(
    userToken: string,
    signal?: AbortSignal,
  ): Promise<{ token: string; expiresAt: number | null }> {
    const { appId, appSecret } = this.credentials();
    const { data } = await this.deps.graph.call({
      path: '/oauth/access_token',
      params: {
        grant_type: 'fb_exchange_token',
        client_id: appId,
        client_secret: appSecret,
        fb_exchange_token: userToken,
      },
      surface: 'facebook',
      signal,
    });
    const body = record(data);
    const token = text(body?.access_token);
    if (!token)
      throw new PlatformError('transient', 'Facebook answered the token exchange without a token.', 'meta:no_token');
    const expiresIn = typeof body?.expires_in === 'number' ? body.expires_in : Number(body?.expires_in);
    return {
      token,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? this.options.now() + expiresIn * 1000 : null,
    };
  }

  private async grantedPermissions(userToken: string): Promise<string[]> {
    const rows = await this.deps.graph.collect<Record<string, unknown>>({
      path: '/me/permissions',
      token: userToken,
      surface: 'facebook',
    });
    return rows.filter((r) => r.status === 'granted').map((r) => String(r.permission));
  }

  async refresh(
    account: RefreshAccount,
    options: { check: boolean; signal: AbortSignal },
  ): Promise<RefreshedTokens | null> {
    const now = this.options.now();
    // The long-lived user token is exchanged again a week before it expires
    // (docs/platforms/meta.md#token-lifetimes).
    const renewDue =
      account.platform === 'facebook' &&
      account.refreshToken !== null &&
      account.refreshExpiresAt !== null &&
      account.refreshExpiresAt - now < REFRESH_POLICY.refreshAheadMs;
    if (renewDue && account.refreshToken) {
      try {
        const long = await this.longLived(account.refreshToken, options.signal);
        // Re-derive this Page's token from the new long-lived user token
        // (docs/platforms/meta.md#token-lifetimes).
        const { data } = await this.deps.graph.call({
          path: `/${account.externalId}`,
          token: long.token,
          params: { fields: 'access_token' },
          surface: 'facebook',
          objectId: account.externalId,
          signal: options.signal,
        });
        const pageToken = text(record(data)?.access_token);
        if (!pageToken)
          throw new PlatformError(
            'auth',
            `Facebook no longer gives access to the Page ${account.name}: ` +
              'the person who connected it may have lost their role on it.',
            'meta:no_page_token',
          );
        return {
          accessToken: pageToken,
          refreshToken: long.token,
          tokenExpiresAt: null,
          refreshExpiresAt: long.expiresAt,
        };
      } catch (err) {
        if (!(err instanceof PlatformError) || err.kind !== 'auth') throw err;
        // The user token is gone, but a Page token from a long-lived user token has no expiry of its
        // own (docs/platforms/meta.md#token-lifetimes): the Page keeps working as long as its token
        // does. The dead user token is dropped, so later runs only check the Page token instead of
        // trying it again.
        this.deps.log.warn(
          { accountId: account.id },
          'long-lived user token could not be renewed; dropping it and checking the Page token',
        );
        await this.check(account.accessToken, options.signal, err.message);
        return {
          accessToken: account.accessToken,
          refreshToken: null,
          tokenExpiresAt: account.tokenExpiresAt,
          refreshExpiresAt: null,
        };
      }
    }
    if (options.check) await this.check(account.accessToken, options.signal);
    return null;
  }

  /**
   * The Page's `picture` or the Instagram account's `profile_picture_url` now, with the account's
   * own (Page) token (docs/platforms/meta.md#listing-pages).
   */
  async picture(account: PublishAccount, options: { signal: AbortSignal }): Promise<string | null> {
    const instagram = account.platform === 'instagram';
    const { data } = await this.deps.graph.call({
      path: `/${account.externalId}`,
      token: account.accessToken,
      params: { fields: instagram ? 'profile_picture_url' : 'picture' },
      surface: instagram ? 'instagram' : 'facebook',
      objectId: account.externalId,
      signal: options.signal,
    });
    const node = record(data);
    return (instagram ? text(node?.profile_picture_url) : text(record(record(node?.picture)?.data)?.url)) ?? null;
  }

  /**
   * `/debug_token` with the app token (docs/platforms/meta.md#token-health-check): is this (Page) token
   * still valid?
   */
  private async check(token: string, signal: AbortSignal, context?: string): Promise<void> {
    const { data } = await this.deps.graph.call({
      path: '/debug_token',
      token: this.deps.graph.appToken(),
      params: { input_token: token },
      surface: 'facebook',
      signal,
    });
    const info = record(record(data)?.data);
    if (info?.is_valid === true) return;
    const error = record(info?.error);
    const subcode =
      typeof error?.subcode === 'number'
        ? error.subcode
        : typeof error?.error_subcode === 'number'
          ? error.error_subcode
          : undefined;
    throw new PlatformError(
      'auth',
      authMessage(subcode, text(error?.message) ?? context ?? 'the token is no longer valid'),
      `meta:debug_token${subcode ? `/${subcode}` : ''}`,
    );
  }
}

/** Words for an openid-client failure, including Graph's own error message when there is one. */
async function describeOAuthError(err: unknown): Promise<string> {
  const e = err as Error & { code?: string; cause?: unknown; error_description?: string };
  const cause = e.cause;
  if (cause instanceof Response) {
    try {
      const body = record(await cause.clone().json());
      const graph = record(body?.error);
      const message = text(graph?.message) ?? text(body?.error_description);
      if (message) return message;
    } catch {
      // not JSON: fall through to the library's words
    }
    return `HTTP ${cause.status}`;
  }
  // openid-client wraps the real reason ("unexpected "state" response parameter value") in `cause`.
  if (cause instanceof Error) return cause.message;
  return e.error_description ?? e.message ?? String(err);
}
