// Connecting a Mastodon account: the person types their instance's address; Herald registers itself
// with that instance once (POST /api/v1/apps, the credentials kept sealed in the network's store),
// sends the browser to the instance's consent page, and the callback exchanges the code for a token
// (docs/platforms/mastodon.md#apps, docs/platforms/mastodon.md#oauth). Tokens do not expire; the
// daily check is GET /api/v1/accounts/verify_credentials.
import { createHash } from 'node:crypto';
import { sha256 } from '../../lib/crypto.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../log.js';
import type { NetworkStore } from '../network.js';
import {
  ConnectError,
  PlatformError,
  type AuthorizationRequest,
  type ConnectResult,
  type Connector,
  type FormRedirect,
  type PublishAccount,
  type RefreshAccount,
  type RefreshedTokens,
} from '../types.js';
import { mastodonCall, mastodonError, MastodonFailure } from './api.js';
import { checkInstanceAddress, instanceOrigin, InstanceRefused } from './instance.js';
import { limitsOf } from './limits.js';
import type { MastodonSettings } from './settings.js';

/**
 * Granular scopes (Mastodon 2.4+): read the profile, write statuses and media, and read statuses for
 * their results (docs/platforms/mastodon.md#results); nothing else.
 */
export const SCOPES = ['read:accounts', 'read:statuses', 'write:statuses', 'write:media'] as const;

interface AppCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The scopes it was registered with; an app without one Herald now asks for is registered again. */
  readonly scopes?: string;
}

export class MastodonConnector implements Connector {
  readonly id = 'mastodon';
  readonly label = 'Mastodon';
  readonly platforms = ['mastodon'];

  constructor(
    private readonly settings: MastodonSettings,
    private readonly store: NetworkStore,
    private readonly publicUrl: string,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  private get timeoutMs() {
    return this.settings.requestTimeoutMs;
  }

  /** The app Herald registered with this instance, registering it the first time. */
  private async app(origin: string, signal: AbortSignal): Promise<AppCredentials> {
    const stored = this.store.get(`app:${origin}`);
    const known = stored ? (JSON.parse(stored) as AppCredentials) : null;
    // An instance refuses a scope the app was not registered with (https://docs.joinmastodon.org/methods/apps/).
    if (known && SCOPES.every((s) => (known.scopes ?? 'read:accounts write:statuses write:media').includes(s)))
      return known;
    const res = await mastodonCall(origin, '/api/v1/apps', {
      method: 'POST',
      form: {
        client_name: 'Herald',
        redirect_uris: `${this.publicUrl}/auth/mastodon/callback`,
        scopes: SCOPES.join(' '),
        website: this.publicUrl,
      },
      signal,
      timeoutMs: this.timeoutMs,
    });
    const body = res.json as { client_id?: unknown; client_secret?: unknown } | null;
    if (typeof body?.client_id !== 'string' || typeof body.client_secret !== 'string')
      throw new ConnectError('failed', `${new URL(origin).host} did not register Herald; is it a Mastodon instance?`);
    const app = { clientId: body.client_id, clientSecret: body.client_secret, scopes: SCOPES.join(' ') };
    this.store.put(`app:${origin}`, JSON.stringify(app));
    this.log.info({ instance: origin }, 'registered with a Mastodon instance');
    return app;
  }

  async connectWithForm(
    values: Readonly<Record<string, string>>,
    options: { signal: AbortSignal; authorization(): AuthorizationRequest },
  ): Promise<ConnectResult | FormRedirect> {
    let origin: string;
    try {
      origin = instanceOrigin(this.settings, values.instance ?? '');
      await checkInstanceAddress(this.settings, origin);
    } catch (err) {
      if (err instanceof InstanceRefused) throw new ConnectError('failed', err.message);
      throw err;
    }
    let app: AppCredentials;
    try {
      app = await this.app(origin, options.signal);
    } catch (err) {
      if (err instanceof ConnectError) throw err;
      this.log.warn({ instance: origin, err: String(err) }, 'registering with a Mastodon instance failed');
      throw new ConnectError(
        'failed',
        `${new URL(origin).host} did not answer as a Mastodon instance. Check the address and try again.`,
      );
    }
    const request = options.authorization();
    // The callback finds the instance by the state it carries back (single use, removed there).
    this.store.put(`state:${sha256(request.state)}`, origin);
    const url = new URL(`${origin}/oauth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: request.redirectUri,
      scope: SCOPES.join(' '),
      state: request.state,
      // PKCE (Mastodon 4.3+; older instances ignore it): docs/platforms/mastodon.md#oauth.
      code_challenge: createHash('sha256').update(request.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    return { redirectTo: url.toString() };
  }

  async complete(callbackUrl: URL, request: AuthorizationRequest): Promise<ConnectResult> {
    const key = `state:${sha256(request.state)}`;
    const origin = this.store.get(key);
    this.store.delete(key);
    if (!origin) throw new ConnectError('failed', 'Herald lost track of this connection. Start again.');
    const error = callbackUrl.searchParams.get('error');
    if (error) throw new ConnectError('denied', 'Herald was not given access to the Mastodon account.');
    const code = callbackUrl.searchParams.get('code');
    if (!code) throw new ConnectError('failed', 'The instance sent no authorization code. Start again.');
    const app = await this.app(origin, AbortSignal.timeout(this.timeoutMs));
    const signal = AbortSignal.timeout(60_000);
    try {
      const token = await mastodonCall(origin, '/oauth/token', {
        method: 'POST',
        form: {
          grant_type: 'authorization_code',
          code,
          client_id: app.clientId,
          client_secret: app.clientSecret,
          redirect_uri: request.redirectUri,
          scope: SCOPES.join(' '),
          code_verifier: request.codeVerifier,
        },
        signal,
        timeoutMs: this.timeoutMs,
      });
      const body = token.json as { access_token?: unknown; scope?: unknown } | null;
      if (typeof body?.access_token !== 'string')
        throw new ConnectError('failed', 'The instance gave no access token.');
      const granted = typeof body.scope === 'string' ? body.scope.split(' ') : [...SCOPES];
      const missing = SCOPES.filter((s) => !granted.includes(s) && !granted.includes(s.split(':')[0]!));
      if (missing.length)
        throw new ConnectError('missing_permissions', 'Herald needs to post for this account.', { missing });
      const me = await this.verify(origin, body.access_token, signal);
      const instance = await mastodonCall(origin, '/api/v2/instance', { signal, timeoutMs: this.timeoutMs });
      const host = new URL(origin).host;
      return {
        accounts: [
          {
            platform: 'mastodon',
            externalId: `${me.id}@${host}`,
            name: me.display_name || me.username,
            username: `${me.username}@${host}`,
            accessToken: body.access_token,
            refreshToken: null,
            // Mastodon access tokens do not expire; they last until revoked (docs/platforms/mastodon.md#oauth).
            tokenExpiresAt: null,
            scopes: granted,
            platformData: {
              instance: origin,
              accountId: me.id,
              avatarUrl: me.avatar ?? null,
              limits: limitsOf(instance.json),
            },
          },
        ],
        warnings: [],
      };
    } catch (err) {
      if (err instanceof ConnectError) throw err;
      // An instance before 4.3 may remove an app nobody used yet; register again next time.
      if (
        err instanceof MastodonFailure &&
        err.status === 401 &&
        /invalid_client|Client authentication/.test(err.vendorMessage)
      )
        this.store.delete(`app:${origin}`);
      if (err instanceof MastodonFailure && (err.status === 400 || err.status === 401))
        throw new ConnectError('failed', 'The instance did not accept the authorization. Start again.');
      throw err;
    }
  }

  private async verify(origin: string, token: string, signal: AbortSignal) {
    const res = await mastodonCall(origin, '/api/v1/accounts/verify_credentials', {
      token,
      signal,
      timeoutMs: this.timeoutMs,
    });
    return res.json as { id: string; username: string; display_name?: string; avatar?: string };
  }

  /** Nothing to renew: the check asks verify_credentials, and a revoked token is a 401. */
  async refresh(
    account: RefreshAccount,
    options: { check: boolean; signal: AbortSignal },
  ): Promise<RefreshedTokens | null> {
    if (!options.check) return null;
    try {
      await this.verify(instanceOf(account), account.accessToken, options.signal);
    } catch (err) {
      throw mastodonError(err, { sent: false, now: this.clock.now() });
    }
    return null;
  }

  async picture(account: PublishAccount, options: { signal: AbortSignal }): Promise<string | null> {
    const me = await this.verify(instanceOf(account), account.accessToken, options.signal);
    return me.avatar ?? null;
  }
}

export function instanceOf(account: Pick<PublishAccount, 'platformData'>): string {
  const origin = account.platformData.instance;
  if (typeof origin !== 'string')
    throw new PlatformError('auth', 'This Mastodon account has no instance; reconnect it.');
  return origin;
}
