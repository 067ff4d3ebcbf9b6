import { HeraldError } from '../domain/errors.js';
import { sha256 } from '../lib/crypto.js';
import { randomSecret } from '../lib/ids.js';
import type { ServiceDeps } from './deps.js';

/** How long a person has between leaving for the vendor's consent page and coming back. */
export const STATE_TTL_MS = 10 * 60_000;

export type OAuthProblem = 'unknown' | 'wrong_flow' | 'reused' | 'expired' | 'other_session';

/** A callback whose `state` cannot be accepted; the page says why in words. */
export class OAuthStateError extends HeraldError {
  constructor(readonly problem: OAuthProblem) {
    super('forbidden', OAUTH_PROBLEMS[problem]);
  }
}

const OAUTH_PROBLEMS: Record<OAuthProblem, string> = {
  unknown: 'This connection attempt is not one Herald started. Start again from the connect button.',
  wrong_flow: 'This answer belongs to another platform’s connection. Start again from the connect button.',
  reused: 'This connection link was already used. Start again from the connect button.',
  expired: 'This connection attempt took longer than 10 minutes and has expired. Start again from the connect button.',
  other_session:
    'This connection was started in another browser session. Start again from the connect button in this browser.',
};

/**
 * OAuth `state` for connecting accounts (https://www.rfc-editor.org/rfc/rfc9700#section-4.7): random,
 * stored only as a hash, bound to the browser session and the client being onboarded, single use, ten
 * minutes. The PKCE verifier is kept sealed beside it.
 */
export function oauthService(deps: ServiceDeps) {
  const { repos, clock, database, box } = deps;
  return {
    start(input: { connector: string; sessionIdHash: string; clientId: string; returnTo: string }): {
      state: string;
      codeVerifier: string;
    } {
      const state = randomSecret(32);
      const codeVerifier = randomSecret(48);
      const now = clock.now();
      const stateHash = sha256(state);
      repos.oauth.insert({
        stateHash,
        sessionId: input.sessionIdHash,
        clientId: input.clientId,
        platform: input.connector,
        codeVerifier: box.encrypt(codeVerifier, `oauth_states:${stateHash}:verifier`),
        returnTo: input.returnTo,
        createdAt: now,
        expiresAt: now + STATE_TTL_MS,
        usedAt: null,
      });
      return { state, codeVerifier };
    },

    /**
     * Accepts a callback's state once. It is marked used before anything else happens, so even a
     * failed token exchange cannot be replayed.
     */
    consume(input: { state: string; connector: string; sessionIdHashes: readonly string[] }): {
      clientId: string;
      codeVerifier: string;
      returnTo: string;
    } {
      const stateHash = sha256(input.state);
      return database.immediate(() => {
        const row = repos.oauth.get(stateHash);
        if (!row) throw new OAuthStateError('unknown');
        if (row.platform !== input.connector) throw new OAuthStateError('wrong_flow');
        if (row.usedAt !== null) throw new OAuthStateError('reused');
        repos.oauth.markUsed(stateHash, clock.now());
        if (row.expiresAt <= clock.now()) throw new OAuthStateError('expired');
        if (!input.sessionIdHashes.includes(row.sessionId)) throw new OAuthStateError('other_session');
        return {
          clientId: row.clientId,
          codeVerifier: box.decrypt(row.codeVerifier!, `oauth_states:${stateHash}:verifier`),
          returnTo: row.returnTo,
        };
      });
    },

    purgeExpired(): number {
      return repos.oauth.deleteExpired(clock.now() - STATE_TTL_MS);
    },
  };
}
