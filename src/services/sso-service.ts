import * as oidc from 'openid-client';
import { HeraldError } from '../domain/errors.js';
import type { AdminRow } from '../db/repos/index.js';
import type { AuthService, SignInMeta } from './auth-service.js';
import type { MembersService } from './members-service.js';
import type { ServiceDeps } from './deps.js';
import { moduleLogger } from '../log.js';

/** How long a person has between leaving for the identity provider and coming back. */
export const SSO_TTL_MS = 10 * 60_000;

const TRANSACTION_AAD = 'sso-login-transaction';
const SCOPE = 'openid email profile';

/** A single sign-on that cannot go on; the message is for the person at the sign-in page. */
export class SsoRefused extends HeraldError {
  constructor(
    message: string,
    readonly reason: 'unavailable' | 'expired' | 'denied' | 'failed' | 'no_admin',
  ) {
    super(reason === 'unavailable' ? 'unavailable' : 'unauthorized', message);
  }
}

type Claims = oidc.IDToken & { email?: unknown; email_verified?: unknown };

/** What the browser carries (sealed, in a short-lived cookie) between start and callback. */
interface Transaction {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  expiresAt: number;
  /** The secret of a team invitation being accepted through the provider (from /join/<secret>). */
  invite?: string;
}

/**
 * Admin single sign-on with any OpenID Connect provider (OIDC_ISSUER): the authorization code
 * flow with PKCE, state and nonce through openid-client. It signs in admins who already exist:
 * the first time by the provider's verified email, which links the provider's subject to the
 * admin, and from then on by that subject. Who is an admin stays decided in Herald.
 *
 * The flow's secrets travel in a cookie sealed with SECRET_KEY rather than in a table: nothing
 * exists before sign-in to bind a row to, and the cookie is the binding to this browser.
 */
export function ssoService(deps: ServiceDeps, auth: AuthService, members: Pick<MembersService, 'acceptWithSso'>) {
  const { config, repos, clock, box } = deps;
  const log = moduleLogger(deps.log, 'sso');
  const settings = config.oidc;
  const redirectUri = `${config.publicUrl}/auth/oidc/callback`;
  let discovered: Promise<oidc.Configuration> | null = null;

  /** Discovery once per process; a failed one is forgotten so the next sign-in tries again. */
  function configuration(): Promise<oidc.Configuration> {
    if (!settings) return Promise.reject(new SsoRefused('Single sign-on is not set up on this server.', 'unavailable'));
    discovered ??= discover(settings).catch((err: unknown) => {
      discovered = null;
      log.warn({ issuer: settings.issuer, err: describe(err) }, 'OIDC discovery failed');
      throw new SsoRefused(
        `The sign-on provider cannot be reached right now (${describe(err)}). ` +
          'Try again in a minute, or sign in with your password.',
        'unavailable',
      );
    });
    return discovered;
  }

  async function discover(s: NonNullable<typeof settings>): Promise<oidc.Configuration> {
    const issuer = new URL(s.issuer);
    const insecure = issuer.protocol === 'http:';
    // openid-client refuses plain http; only a provider on this machine or a test one uses it.
    const options: oidc.DiscoveryRequestOptions = {
      timeout: 10,
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
    };
    const found = await oidc.discovery(issuer, s.clientId, undefined, oidc.None(), options);
    const server = found.serverMetadata();
    // The library does not pick the client authentication from the provider's list: do it here.
    const methods = server.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    const auth = !s.clientSecret
      ? oidc.None()
      : methods.includes('client_secret_basic')
        ? oidc.ClientSecretBasic(s.clientSecret)
        : oidc.ClientSecretPost(s.clientSecret);
    const configured = new oidc.Configuration(server, s.clientId, s.clientSecret ?? undefined, auth);
    if (insecure) oidc.allowInsecureRequests(configured);
    return configured;
  }

  function open(sealed: string | undefined): Transaction {
    if (!sealed)
      throw new SsoRefused(
        'This sign-in was not started in this browser, or it was already used. Start again from the sign-in page.',
        'expired',
      );
    let tx: Transaction;
    try {
      tx = JSON.parse(box.decrypt(sealed, TRANSACTION_AAD)) as Transaction;
    } catch {
      throw new SsoRefused(
        'This sign-in cannot be read (the server key may have changed). Start again from the sign-in page.',
        'expired',
      );
    }
    if (tx.expiresAt <= clock.now())
      throw new SsoRefused(
        'This sign-in took longer than 10 minutes and has expired. Start again from the sign-in page.',
        'expired',
      );
    return tx;
  }

  /** The admin this identity signs in as; links the subject on the first verified-email match. */
  function adminFor(claims: Claims): AdminRow {
    const subject = `${claims.iss} ${claims.sub}`;
    const bySubject = repos.auth.adminBySubject(subject);
    if (bySubject) return bySubject;
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    if (!email)
      throw new SsoRefused(
        'The sign-on provider did not share an email address, so Herald cannot tell which admin you are. ' +
          'Allow the "email" scope for Herald at the provider.',
        'no_admin',
      );
    if (claims.email_verified !== true)
      throw new SsoRefused(
        `The sign-on provider has not verified ${email}; Herald only links verified addresses. ` +
          'Verify it at the provider, or sign in with your password.',
        'no_admin',
      );
    const admin = repos.auth.adminByEmail(email);
    if (!admin)
      throw new SsoRefused(
        `No Herald admin has the email ${email}. ` +
          'An owner or admin can invite you from the Team page (or with "herald member invite").',
        'no_admin',
      );
    if (admin.oidcSubject && admin.oidcSubject !== subject) {
      throw new SsoRefused(
        `The admin ${email} is linked to another sign-on identity. Sign in with that one, or with your password.`,
        'no_admin',
      );
    }
    repos.auth.updateAdmin(admin.id, { oidcSubject: subject });
    log.info({ adminId: admin.id }, 'linked a sign-on identity to an admin');
    return { ...admin, oidcSubject: subject };
  }

  /** A new team member from an invitation; the provider's verified email must be the invited address. */
  function joinFor(invite: string, claims: Claims, name: unknown): AdminRow {
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
    try {
      return members.acceptWithSso(invite, {
        subject: `${claims.iss} ${claims.sub}`,
        email: email && claims.email_verified === true ? email : null,
        name: typeof name === 'string' ? name.trim() : '',
      });
    } catch (err) {
      if (err instanceof HeraldError) throw new SsoRefused(err.message, 'no_admin');
      throw err;
    }
  }

  return {
    enabled: settings !== null,

    /**
     * Where to send the browser, and the sealed value it must bring back (as a cookie). With `invite` (a join link's
     * secret) the person coming back joins the team through that invitation instead of signing in.
     */
    async start(next: string, invite?: string): Promise<{ url: string; transaction: string }> {
      const configured = await configuration();
      const tx: Transaction = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        next,
        expiresAt: clock.now() + SSO_TTL_MS,
        ...(invite ? { invite } : {}),
      };
      const url = oidc.buildAuthorizationUrl(configured, {
        redirect_uri: redirectUri,
        scope: SCOPE,
        state: tx.state,
        nonce: tx.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(tx.verifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, transaction: box.encrypt(JSON.stringify(tx), TRANSACTION_AAD) };
    },

    /**
     * Finishes the flow: checks state, nonce and PKCE through the code exchange and the ID token,
     * finds the admin, opens an admin session. `query` is the callback's query string.
     */
    async complete(
      query: string,
      sealed: string | undefined,
      meta: SignInMeta,
    ): Promise<{ admin: AdminRow; cookie: string; next: string }> {
      const tx = open(sealed);
      const params = new URLSearchParams(query);
      if (params.get('error')) {
        const why = params.get('error_description') ?? params.get('error');
        throw new SsoRefused(`The sign-on provider did not sign you in (${why}).`, 'denied');
      }
      const configured = await configuration();
      // Rebuilt from PUBLIC_URL: behind a proxy the request URL may differ from the registered one.
      const current = new URL(redirectUri);
      current.search = query;
      let claims: Claims;
      let name: unknown;
      try {
        const tokens = await oidc.authorizationCodeGrant(configured, current, {
          pkceCodeVerifier: tx.verifier,
          expectedState: tx.state,
          expectedNonce: tx.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims()!;
        name = claims.name;
        // Providers that follow the spec to the letter put email in UserInfo, not the ID token (and the name, which
        // a new teammate joining this way is given).
        const wanted = claims.email === undefined || (tx.invite !== undefined && claims.name === undefined);
        if (wanted && configured.serverMetadata().userinfo_endpoint) {
          const info = await oidc.fetchUserInfo(configured, tokens.access_token, claims.sub);
          if (claims.email === undefined)
            claims = { ...claims, email: info.email, email_verified: info.email_verified };
          name = info.name ?? name;
        }
      } catch (err) {
        log.warn({ err: describe(err) }, 'OIDC code exchange failed');
        throw new SsoRefused(
          `The sign-on provider's answer was not accepted (${describe(err)}). Start again from the sign-in page.`,
          'failed',
        );
      }
      const admin = tx.invite ? joinFor(tx.invite, claims, name) : adminFor(claims);
      // The provider's own sign-in (and its second factor) is what this session rests on.
      const { cookie } = auth.signedIn(admin, 'sso', meta);
      log.info({ adminId: admin.id }, 'admin signed in through single sign-on');
      return { admin, cookie, next: tx.next };
    },
  };
}

/** Words for an openid-client failure: the provider's own description when it gave one. */
function describe(err: unknown): string {
  const e = err as Error & { cause?: unknown; error_description?: string; error?: string };
  if (e.error_description) return e.error_description;
  if (e.error) return e.error;
  if (e.cause instanceof Error) return e.cause.message;
  return e.message ?? String(err);
}
