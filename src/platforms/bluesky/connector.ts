// Connecting a Bluesky account with a handle and an app password (a form, no OAuth redirect), and
// keeping its session fresh (docs/platforms/bluesky.md#sessions).
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../log.js';
import { REFRESH_POLICY } from '../../domain/token-policy.js';
import { NetworkError } from '../http.js';
import {
  ConnectError,
  PlatformError,
  type ConnectResult,
  type Connector,
  type RefreshAccount,
  type RefreshedTokens,
} from '../types.js';
import { blueskyError } from './errors.js';
import { IdentityError, IdentityResolver, isDid, isHandle, normalizeHandle, type Identity } from './identity.js';
import { jwtClaims, madeWithMainPassword, parseSession, type SessionTokens } from './session.js';
import type { BlueskySettings } from './settings.js';
import { xrpc, XrpcFailure } from './xrpc.js';

/** Where people make an app password (docs/platforms/bluesky.md#app-passwords). */
export const APP_PASSWORDS_URL = 'https://bsky.app/settings/app-passwords';

/** The explanation the connect form shows next to the app-password field. */
const APP_PASSWORD_HELP = [
  'Herald signs in to Bluesky with an app password, not your main password.',
  'An app password lets Herald post for you; you can revoke it at any time without changing your password.',
  `Make one in the Bluesky app under Settings → Privacy and security → App passwords (${APP_PASSWORDS_URL}), ` +
    'name it "Herald", leave "Allow access to your direct messages" off, and paste it here.',
] as const;

/** The PDS an account's tokens belong to, as saved at connect. */
export function pdsOf(platformData: Record<string, unknown>): string {
  const pds = platformData.pds;
  if (typeof pds !== 'string' || !pds)
    throw new PlatformError('auth', 'Herald does not know which Bluesky server holds this account; reconnect it.');
  return pds;
}

const MAIN_PASSWORD_WORDS =
  'That is the main password of the Bluesky account. Herald only accepts an app password, so that it never ' +
  `holds your main password and you can revoke its access alone. Make one at ${APP_PASSWORDS_URL} and paste it here.`;

/** Connects with the descriptor's form (its `handle` and `appPassword` fields): there is no OAuth redirect. */
export class BlueskyConnector implements Connector {
  readonly id = 'bluesky';
  readonly label = 'Bluesky';
  readonly platforms = ['bluesky'];
  private readonly identity: IdentityResolver;

  constructor(
    private readonly settings: BlueskySettings,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.identity = new IdentityResolver(settings);
  }

  /**
   * The form's submission (`handle`: "alice.bsky.social", "@alice.example.com" or a DID;
   * `appPassword`): handle → DID → the account's own PDS, then `createSession` there with the app
   * password. Returns the account as the OAuth connectors do (`accessToken` = accessJwt,
   * `refreshToken` = refreshJwt; the accounts service encrypts both). The app password itself is not
   * kept. Throws ConnectError in words for the person at the form.
   */
  async connectWithForm(
    values: Readonly<Record<string, string>>,
    options: { signal?: AbortSignal } = {},
  ): Promise<ConnectResult> {
    const { signal } = options;
    const input = { handle: values.handle ?? '', appPassword: values.appPassword ?? '' };
    const typed = normalizeHandle(input.handle);
    const password = input.appPassword.trim();
    if (!typed) throw new ConnectError('failed', 'Enter the Bluesky handle, such as alice.bsky.social.');
    if (typed.includes('@'))
      throw new ConnectError(
        'failed',
        'Enter the Bluesky handle (such as alice.bsky.social), not the email address of the account.',
      );
    if (!isDid(typed) && !isHandle(typed))
      throw new ConnectError(
        'failed',
        `"${input.handle.trim()}" is not a Bluesky handle; it looks like alice.bsky.social.`,
      );
    if (!password) throw new ConnectError('failed', `Paste an app password; make one at ${APP_PASSWORDS_URL}.`);

    let identity: Identity & { verified: boolean };
    try {
      identity = isDid(typed)
        ? { ...(await this.identity.resolveDid(typed, signal)), verified: true }
        : await this.identity.resolve(typed, signal);
    } catch (err) {
      if (err instanceof IdentityError) throw new ConnectError('failed', err.message);
      throw err;
    }

    let session: SessionTokens;
    try {
      const reply = await xrpc<Record<string, unknown>>(
        identity.pds,
        {
          method: 'POST',
          nsid: 'com.atproto.server.createSession',
          json: { identifier: identity.did, password },
          ...(signal ? { signal } : {}),
        },
        this.settings.requestTimeoutMs,
      );
      const parsed = parseSession(reply.data);
      if (!parsed) throw new ConnectError('failed', 'Bluesky answered the sign-in without a session. Try again.');
      session = parsed;
    } catch (err) {
      throw this.signInFailure(err);
    }
    if (madeWithMainPassword(session.accessJwt)) {
      // Drop the session the main password opened: Herald must not hold it.
      await this.deleteSession(identity.pds, session.refreshJwt);
      throw new ConnectError('failed', MAIN_PASSWORD_WORDS, { help: [...APP_PASSWORD_HELP] });
    }
    if (session.did !== identity.did)
      throw new ConnectError('failed', 'Bluesky signed in a different account than the handle names. Try again.');
    if (session.active === false)
      throw new ConnectError(
        'failed',
        `This Bluesky account is not active (${session.status ?? 'deactivated'}); its owner must resolve that first.`,
      );

    const handle = session.handle || identity.handle || typed;
    const profile = await this.profile(identity.pds, session.accessJwt, identity.did);
    const access = jwtClaims(session.accessJwt);
    const refresh = jwtClaims(session.refreshJwt);
    const warnings: string[] = [];
    if (!identity.verified && !isDid(typed))
      warnings.push(
        `The identity of @${typed} does not name that handle back; Herald posts as ${identity.did} (@${handle}).`,
      );
    this.log.info({ did: identity.did, pds: identity.pds }, 'Bluesky account connected');
    return {
      accounts: [
        {
          platform: 'bluesky',
          externalId: identity.did,
          name: profile.displayName || `@${handle}`,
          username: handle,
          accessToken: session.accessJwt,
          refreshToken: session.refreshJwt,
          tokenExpiresAt: access.expiresAt,
          refreshExpiresAt: refresh.expiresAt,
          scopes: access.scope ? [access.scope] : [],
          platformData: {
            did: identity.did,
            handle,
            pds: identity.pds,
            ...(profile.avatar ? { avatarUrl: profile.avatar } : {}),
          },
        },
      ],
      warnings,
    };
  }

  /**
   * Keeps the session alive: `refreshSession` with the refresh JWT when the access JWT expires within
   * the refresh policy's window (always, for 2-hour JWTs and a 6-hourly job), else a health check with
   * `getSession`. The refresh JWT rotates: the new one is returned to be stored in one commit.
   */
  async refresh(
    account: RefreshAccount,
    options: { check: boolean; signal: AbortSignal },
  ): Promise<RefreshedTokens | null> {
    const pds = pdsOf(account.platformData);
    const now = this.clock.now();
    const due = account.tokenExpiresAt === null || account.tokenExpiresAt - now < REFRESH_POLICY.accessAheadMs;
    if (options.check && !due) {
      await this.check(pds, account.accessToken, options.signal);
      return null;
    }
    if (!account.refreshToken)
      throw new PlatformError(
        'auth',
        'No Bluesky session is stored for this account; reconnect it.',
        'no_refresh_token',
      );
    const session = await this.renew(pds, account.refreshToken, account.externalId, options.signal);
    this.log.info({ accountId: account.id }, 'Bluesky session refreshed');
    return tokensOf(session);
  }

  /** `refreshSession` (refresh JWT as the bearer, no body). Throws PlatformError. */
  async renew(pds: string, refreshJwt: string, did: string, signal?: AbortSignal): Promise<SessionTokens> {
    let session: SessionTokens | null;
    try {
      const reply = await xrpc<Record<string, unknown>>(
        pds,
        { method: 'POST', nsid: 'com.atproto.server.refreshSession', token: refreshJwt, ...(signal ? { signal } : {}) },
        this.settings.requestTimeoutMs,
      );
      session = parseSession(reply.data);
    } catch (err) {
      const e = blueskyError(err, { sent: false, now: this.clock.now() });
      if (err instanceof XrpcFailure && (err.error === 'ExpiredToken' || err.error === 'InvalidToken'))
        throw new PlatformError(
          'auth',
          'The Bluesky session ended (the app password was revoked, or Herald could not renew it for 90 days); ' +
            'reconnect the account.',
          err.error,
        );
      throw e;
    }
    if (!session) throw new PlatformError('transient', 'Bluesky renewed the session without tokens.', 'no_session');
    if (session.did !== did)
      throw new PlatformError('auth', 'Bluesky renewed a session for a different account.', 'did_mismatch');
    if (session.active === false)
      throw new PlatformError(
        'auth',
        `The Bluesky account is ${session.status ?? 'deactivated'}.`,
        session.status ?? 'inactive',
      );
    return session;
  }

  /** `getSession`: the cheapest call that proves the access JWT works and the account is active. */
  private async check(pds: string, accessJwt: string, signal: AbortSignal): Promise<void> {
    let data: { active?: unknown; status?: unknown };
    try {
      data = (
        await xrpc<{ active?: unknown; status?: unknown }>(
          pds,
          { method: 'GET', nsid: 'com.atproto.server.getSession', token: accessJwt, signal },
          this.settings.requestTimeoutMs,
        )
      ).data;
    } catch (err) {
      throw blueskyError(err, { sent: false, now: this.clock.now() });
    }
    if (data.active === false) {
      const status = typeof data.status === 'string' ? data.status : 'deactivated';
      throw new PlatformError('auth', `The Bluesky account is ${status}; its owner must resolve that.`, status);
    }
  }

  /** Display name and avatar for the pages; the PDS forwards the call to the AppView. Optional. */
  private async profile(
    pds: string,
    accessJwt: string,
    did: string,
  ): Promise<{ displayName?: string; avatar?: string }> {
    try {
      const reply = await xrpc<{ displayName?: unknown; avatar?: unknown }>(
        pds,
        { method: 'GET', nsid: 'app.bsky.actor.getProfile', query: { actor: did }, token: accessJwt },
        this.settings.requestTimeoutMs,
      );
      return {
        ...(typeof reply.data.displayName === 'string' && reply.data.displayName
          ? { displayName: reply.data.displayName }
          : {}),
        ...(typeof reply.data.avatar === 'string' ? { avatar: reply.data.avatar } : {}),
      };
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'Bluesky profile not available at connect');
      return {};
    }
  }

  private async deleteSession(pds: string, refreshJwt: string): Promise<void> {
    try {
      await xrpc(pds, { method: 'POST', nsid: 'com.atproto.server.deleteSession', token: refreshJwt }, 5_000);
    } catch {
      // It expires on its own; nothing of it is stored.
    }
  }

  private signInFailure(err: unknown): ConnectError {
    if (err instanceof ConnectError) return err;
    if (err instanceof NetworkError)
      return new ConnectError('failed', "The account's Bluesky server could not be reached. Try again in a minute.");
    if (!(err instanceof XrpcFailure)) return new ConnectError('failed', `Connecting Bluesky failed: ${String(err)}`);
    switch (err.error) {
      case 'AuthFactorTokenRequired':
        // Only the main password meets the email code check.
        return new ConnectError('failed', MAIN_PASSWORD_WORDS, { help: [...APP_PASSWORD_HELP] });
      case 'AccountTakedown':
        return new ConnectError('failed', 'Bluesky has taken this account down, so Herald cannot post to it.');
      case 'RateLimitExceeded':
        return new ConnectError(
          'failed',
          'Bluesky allows only a few sign-ins per account in a short time; wait five minutes and try again.',
        );
    }
    if (err.status === 401 || err.error === 'AuthenticationRequired')
      return new ConnectError(
        'denied',
        `Bluesky did not accept this handle and app password. Check that you pasted the whole app password ` +
          `(four groups of four characters, like abcd-efgh-ijkl-mnop), or make a new one at ${APP_PASSWORDS_URL}.`,
        { help: [...APP_PASSWORD_HELP] },
      );
    if (err.status === 429)
      return new ConnectError('failed', 'Bluesky asked Herald to slow down; wait five minutes and try again.');
    return new ConnectError(
      'failed',
      `Bluesky refused the sign-in (${err.error}${err.vendorMessage ? `: ${err.vendorMessage}` : ''}). Try again.`,
    );
  }
}

/** A session as tokens to store: the expiries come from the JWTs themselves. */
export function tokensOf(session: SessionTokens): RefreshedTokens {
  const access = jwtClaims(session.accessJwt);
  return {
    accessToken: session.accessJwt,
    refreshToken: session.refreshJwt,
    tokenExpiresAt: access.expiresAt,
    refreshExpiresAt: jwtClaims(session.refreshJwt).expiresAt,
    ...(access.scope ? { scopes: [access.scope] } : {}),
  };
}
