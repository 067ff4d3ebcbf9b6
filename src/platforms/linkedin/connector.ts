// LinkedIn's three-legged OAuth (docs/platforms/linkedin.md#oauth): the consent URL, code → tokens,
// the Pages the member administers plus the member's own profile, and keeping access alive.
// Refresh tokens exist only for apps LinkedIn approved for them; without one, access simply ends
// after 60 days and the person must reconnect.
import type { Logger } from '../../log.js';
import type { AccountAccess } from '../network.js';
import { REFRESH_POLICY } from '../../domain/token-policy.js';
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
import { LinkedInOAuthError, type LinkedInApi, type TokenResponse } from './api.js';

/**
 * One scope set for every connection: asking for a different set later invalidates the member's
 * earlier tokens for the app (docs/platforms/linkedin.md#scopes).
 */
export const LINKEDIN_SCOPES = [
  'openid',
  'profile',
  'w_member_social',
  'w_organization_social',
  'r_organization_social',
  'rw_organization_admin',
] as const;
/** Access tokens live 60 days (docs/platforms/linkedin.md#tokens); used when an answer leaves it out. */
const DEFAULT_ACCESS_SECONDS = 60 * 24 * 3600;
const DAY = 24 * 3600_000;

interface UserInfo {
  readonly sub?: string;
  readonly name?: string;
  readonly given_name?: string;
  readonly family_name?: string;
  readonly picture?: string;
}
interface AclElement {
  readonly organization?: string;
  readonly role?: string;
  readonly state?: string;
}
interface Organization {
  readonly id?: number;
  readonly localizedName?: string;
  readonly vanityName?: string;
}

/**
 * When the refresh token ends, or null when unknown: a refresh token that would end before the
 * access token it renews is a number in the wrong unit, not a fact (docs/platforms/linkedin.md#tokens).
 */
function refreshEnd(tokens: TokenResponse, now: number): number | null {
  const seconds = tokens.refresh_token_expires_in;
  if (!seconds || seconds < (tokens.expires_in ?? DEFAULT_ACCESS_SECONDS)) return null;
  return now + seconds * 1000;
}

/** LinkedIn documents `scope` as space-delimited, but other endpoints use commas: take both. */
export function splitScopes(value: string | null | undefined): string[] {
  const text = decodeURIComponent(value ?? '');
  return text
    .split(text.includes(',') ? ',' : ' ')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * "Reconnect LinkedIn within 12 days" for an account LinkedIn will not renew; null when it can be
 * renewed or has no known end. The pages show it next to the token's expiry.
 */
export function reconnectNote(account: AccountAccess, now: number): string | null {
  if (account.renewable || account.tokenExpiresAt === null) return null;
  const days = Math.ceil((account.tokenExpiresAt - now) / DAY);
  if (days <= 0) return 'LinkedIn access has ended: reconnect LinkedIn.';
  return `LinkedIn does not renew access for this app: reconnect LinkedIn within ${days} day${days === 1 ? '' : 's'}.`;
}

export class LinkedInConnector implements Connector {
  readonly id = 'linkedin';
  readonly label = 'LinkedIn';
  readonly platforms = ['linkedin'];

  constructor(
    private readonly api: LinkedInApi,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private notConfigured(): ConnectError {
    return new ConnectError(
      'failed',
      'LinkedIn is not set up on this server: the administrator must set LINKEDIN_CLIENT_ID and ' +
        'LINKEDIN_CLIENT_SECRET.',
    );
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    if (!this.api.configured) throw this.notConfigured();
    const url = new URL(`${this.api.settings.authUrl}/authorization`);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.api.settings.clientId!);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('state', request.state);
    // Space-delimited; URLSearchParams writes the spaces as '+', which form decoding reads back as spaces.
    url.searchParams.set('scope', LINKEDIN_SCOPES.join(' '));
    return url.toString();
  }

  async complete(callbackUrl: URL, request: AuthorizationRequest): Promise<ConnectResult> {
    const params = callbackUrl.searchParams;
    const error = params.get('error');
    if (error) {
      if (error === 'user_cancelled_login' || error === 'user_cancelled_authorize')
        throw new ConnectError('denied', 'LinkedIn was not connected: the sign-in was cancelled on LinkedIn.');
      throw new ConnectError(
        'failed',
        `LinkedIn did not complete the sign-in ` +
          `(${error}${params.get('error_description') ? `: ${params.get('error_description')}` : ''}). Try again.`,
      );
    }
    if (params.get('state') !== request.state)
      throw new ConnectError(
        'failed',
        'The LinkedIn sign-in did not come back from the request Herald started. Try again.',
      );
    const code = params.get('code');
    if (!code) throw new ConnectError('failed', 'LinkedIn came back without an authorization code. Try again.');
    if (!this.api.configured) throw this.notConfigured();

    let tokens: TokenResponse;
    try {
      tokens = await this.api.token({ grant_type: 'authorization_code', code, redirect_uri: request.redirectUri });
    } catch (err) {
      throw this.connectFailure(err);
    }
    const scopes = tokens.scope ? splitScopes(tokens.scope) : [...LINKEDIN_SCOPES];
    const now = this.now();
    const base = {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? null,
      tokenExpiresAt: now + (tokens.expires_in ?? DEFAULT_ACCESS_SECONDS) * 1000,
      refreshExpiresAt: tokens.refresh_token ? refreshEnd(tokens, now) : null,
      scopes,
    };

    let me: UserInfo;
    try {
      me = (await this.api.rest<UserInfo>(tokens.access_token, { method: 'GET', path: '/v2/userinfo' })).data ?? {};
    } catch (err) {
      throw this.connectFailure(err);
    }
    if (!me.sub) throw new ConnectError('failed', 'LinkedIn answered without identifying the member. Try again.');
    const memberUrn = `urn:li:person:${me.sub}`;
    const memberName = me.name || [me.given_name, me.family_name].filter(Boolean).join(' ') || 'LinkedIn member';

    const accounts: ConnectedAccount[] = [];
    const warnings: string[] = [];
    if (scopes.includes('rw_organization_admin')) {
      let organizations: Awaited<ReturnType<LinkedInConnector['administeredOrganizations']>> = [];
      try {
        organizations = await this.administeredOrganizations(tokens.access_token);
      } catch (err) {
        // An app still in the Community Management API's development tier may be refused here; the
        // personal profile can still be connected.
        if (!(err instanceof PlatformError && err.code === 'ACCESS_DENIED')) throw this.connectFailure(err);
        this.log.warn({ member: memberUrn, err: err.message }, 'LinkedIn Pages could not be listed');
        warnings.push(
          `LinkedIn would not list the Pages this person administers, so only the personal profile was ` +
            `connected. ${err.message}`,
        );
      }
      for (const org of organizations) {
        accounts.push({
          platform: 'linkedin',
          externalId: org.urn,
          name: org.name,
          username: org.vanityName,
          ...base,
          parentExternalId: null,
          platformData: { kind: 'organization', author: org.urn, memberUrn, vanityName: org.vanityName },
        });
      }
    } else {
      warnings.push(
        "LinkedIn did not grant access to Company Pages (Herald's LinkedIn app needs the Community Management " +
          'API product), so only the personal profile was connected.',
      );
    }
    if (scopes.includes('w_member_social')) {
      accounts.push({
        platform: 'linkedin',
        externalId: memberUrn,
        name: `${memberName} (personal profile)`,
        username: null,
        ...base,
        parentExternalId: null,
        platformData: { kind: 'person', author: memberUrn, memberUrn, avatarUrl: me.picture ?? null },
      });
    }
    if (accounts.length === 0)
      throw new ConnectError('missing_permissions', 'LinkedIn was connected without permission to post.', {
        missing: ['w_member_social'],
        help: ['Herald\'s LinkedIn app needs the "Share on LinkedIn" product in the LinkedIn developer portal.'],
      });
    const note = reconnectNote({ renewable: Boolean(base.refreshToken), tokenExpiresAt: base.tokenExpiresAt }, now);
    if (note) warnings.push(note);
    this.log.info(
      { organizations: accounts.length - 1, scopes, renewable: Boolean(base.refreshToken) },
      'LinkedIn connected',
    );
    return { accounts, warnings };
  }

  /**
   * The Pages where the member is an approved ADMINISTRATOR, a page at a time, then their names
   * (docs/platforms/linkedin.md#organizations).
   */
  private async administeredOrganizations(
    token: string,
  ): Promise<Array<{ urn: string; name: string; vanityName: string | null }>> {
    const urns: string[] = [];
    const count = 100;
    for (let start = 0; start < 10_000; start += count) {
      const page = await this.api.rest<{ elements?: AclElement[] }>(token, {
        method: 'GET',
        path: '/rest/organizationAcls',
        query: { q: 'roleAssignee', role: 'ADMINISTRATOR', state: 'APPROVED', start, count },
      });
      const elements = page.data?.elements ?? [];
      for (const e of elements) {
        if (e.organization && e.role === 'ADMINISTRATOR' && e.state === 'APPROVED' && !urns.includes(e.organization))
          urns.push(e.organization);
      }
      if (elements.length < count) break;
    }
    const out: Array<{ urn: string; name: string; vanityName: string | null }> = [];
    for (const urn of urns) {
      const id = urn.split(':').pop()!;
      const org = await this.api.rest<Organization>(token, {
        method: 'GET',
        path: `/rest/organizations/${encodeURIComponent(id)}`,
      });
      out.push({
        urn,
        name: org.data?.localizedName || `LinkedIn Page ${id}`,
        vanityName: org.data?.vanityName ?? null,
      });
    }
    return out;
  }

  async refresh(
    account: RefreshAccount,
    options: { check: boolean; signal: AbortSignal },
  ): Promise<RefreshedTokens | null> {
    const now = this.now();
    const accessDue = account.tokenExpiresAt !== null && account.tokenExpiresAt - now < REFRESH_POLICY.accessAheadMs;
    if (!accessDue) {
      if (options.check)
        await this.api.rest(account.accessToken, { method: 'GET', path: '/v2/userinfo', signal: options.signal });
      return null;
    }
    if (!account.refreshToken) {
      const ends = new Date(account.tokenExpiresAt!).toUTCString();
      throw new PlatformError(
        'auth',
        account.tokenExpiresAt! <= now
          ? 'LinkedIn access for this account has ended (LinkedIn does not renew it for this app): reconnect LinkedIn.'
          : `LinkedIn access for this account ends ${ends} and LinkedIn does not renew it for this app: ` +
              `reconnect LinkedIn.`,
        'reconnect_required',
      );
    }
    // Not refused locally when refreshExpiresAt has passed: LinkedIn's own samples give that lifetime in
    // doubtful units (docs/platforms/linkedin.md#where-sources-disagree), so the token endpoint decides.
    if (!this.api.configured)
      throw new PlatformError(
        'permanent',
        'LinkedIn is not set up on this server: set LINKEDIN_CLIENT_ID and LINKEDIN_CLIENT_SECRET.',
        'not_configured',
      );
    let tokens: TokenResponse;
    try {
      tokens = await this.api.token(
        { grant_type: 'refresh_token', refresh_token: account.refreshToken },
        options.signal,
      );
    } catch (err) {
      if (err instanceof LinkedInOAuthError)
        throw new PlatformError(
          err.status >= 500 ? 'transient' : 'auth',
          `LinkedIn would not renew access (${err.description || err.code}): reconnect LinkedIn.`,
          err.code,
        );
      throw err;
    }
    const at = this.now();
    this.log.info({ accountId: account.id, expiresIn: tokens.expires_in }, 'LinkedIn tokens refreshed');
    // The refresh token keeps its original end: refreshing does not extend it (docs/platforms/linkedin.md#tokens).
    return {
      accessToken: tokens.access_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      tokenExpiresAt: at + (tokens.expires_in ?? DEFAULT_ACCESS_SECONDS) * 1000,
      ...(refreshEnd(tokens, at) !== null ? { refreshExpiresAt: refreshEnd(tokens, at) } : {}),
      ...(tokens.scope ? { scopes: splitScopes(tokens.scope) } : {}),
    };
  }

  private connectFailure(err: unknown): ConnectError {
    if (err instanceof ConnectError) return err;
    if (err instanceof LinkedInOAuthError) {
      if (err.code === 'invalid_client' || err.status === 401)
        return new ConnectError(
          'failed',
          "LinkedIn refused Herald's app credentials; the administrator must check LINKEDIN_CLIENT_ID and " +
            'LINKEDIN_CLIENT_SECRET.',
        );
      return new ConnectError(
        'failed',
        `LinkedIn did not accept the sign-in (${err.code}${err.description ? `: ${err.description}` : ''}). Try ` +
          `connecting again.`,
      );
    }
    if (err instanceof PlatformError)
      return new ConnectError('failed', `LinkedIn refused to list the accounts: ${err.message}`);
    return new ConnectError('failed', `Connecting LinkedIn failed: ${(err as Error).message}`);
  }
}
