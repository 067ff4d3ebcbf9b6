import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { z } from 'zod';
import type { Actor } from '../domain/actor.js';
import { HeraldError, NotFoundError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { AdminRow, PasskeyRow, SessionRow } from '../db/repos/index.js';
import { Signer } from '../lib/crypto.js';
import { randomSecret } from '../lib/ids.js';
import { recordAudit } from './audit.js';
import type { AuthService, SignInMeta } from './auth-service.js';
import type { ServiceDeps } from './deps.js';

type Member = Extract<Actor, { kind: 'admin' }>;

/** How long a browser has to answer a WebAuthn challenge. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** What a challenge was issued for; a challenge issued for one ceremony is refused by the others. */
type Ceremony = 'register' | 'signin' | 'verify';

/** A passkey ceremony that did not verify; the message is for the person in front of the browser. */
export class PasskeyRefused extends HeraldError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

const nameSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(80, 'must be at most 80 characters'),
});

const toBytes = (b64url: string) => new Uint8Array(Buffer.from(b64url, 'base64url'));

/**
 * Passkeys (WebAuthn) through @simplewebauthn/server: registering one on the security page, signing in with one
 * alone (a discoverable credential with user verification: something held plus a PIN or a fingerprint), and using
 * one as the second step after a password.
 *
 * The relying party is PUBLIC_URL: its host name is the RP ID and its origin the only origin accepted
 * (https://www.w3.org/TR/webauthn-3/#rp-id). Each challenge travels to the browser and back in a signed,
 * short-lived cookie bound to the ceremony and the member, so nothing is stored before it is answered.
 */
export function passkeysService(deps: ServiceDeps, auth: AuthService) {
  const { repos, clock, database, config } = deps;
  const publicUrl = new URL(config.publicUrl);
  const rpID = publicUrl.hostname;
  const origin = publicUrl.origin;
  const challenges = new Signer(config.secretKey, 'webauthn-challenge');

  function seal(ceremony: Ceremony, adminId: string | null, challenge: string): string {
    return challenges.sign(`v1.${ceremony}.${adminId ?? '-'}.${challenge}.${clock.now() + CHALLENGE_TTL_MS}`);
  }

  /** The challenge in a signed value for this ceremony (and member), if it is still fresh. */
  function open(signed: string | undefined, ceremony: Ceremony, adminId: string | null): string {
    const [version, kind, owner, challenge, expires, extra] = (challenges.open(signed) ?? '').split('.');
    const fresh = Number(expires) > clock.now();
    if (version !== 'v1' || kind !== ceremony || owner !== (adminId ?? '-') || !challenge || !fresh || extra)
      throw new PasskeyRefused('The passkey request has expired. Try again.');
    return challenge;
  }

  function credentialOf(row: PasskeyRow) {
    return {
      id: row.id,
      publicKey: toBytes(row.publicKey),
      counter: row.counter,
      ...(row.transports ? { transports: row.transports } : {}),
    };
  }

  /** Checks an assertion against a stored passkey and records its use (the counter guards against clones). */
  async function assert(
    response: AuthenticationResponseJSON,
    challenge: string,
    row: PasskeyRow,
    requireUserVerification: boolean,
  ): Promise<void> {
    let verified = false;
    let newCounter = row.counter;
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential: credentialOf(row),
        requireUserVerification,
      });
      verified = result.verified;
      newCounter = result.authenticationInfo.newCounter;
    } catch (err) {
      throw new PasskeyRefused(`The passkey was not accepted (${(err as Error).message}).`);
    }
    if (!verified) throw new PasskeyRefused('The passkey was not accepted.');
    repos.passkeys.update(row.id, row.adminId, { counter: newCounter, lastUsedAt: clock.now() });
  }

  function adminOf(id: string): AdminRow {
    const admin = repos.auth.getAdmin(id);
    if (!admin) throw new NotFoundError('Team member');
    return admin;
  }

  return {
    list(adminId: string): PasskeyRow[] {
      return repos.passkeys.ofAdmin(adminId);
    },

    /** Options for the browser's navigator.credentials.create(), and the sealed challenge to keep as a cookie. */
    async registrationOptions(
      actor: Member,
    ): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; challenge: string }> {
      const admin = adminOf(actor.id);
      // The user handle is random and kept: the authenticator stores it, and it must never be the e-mail.
      let userId = admin.webauthnUserId;
      if (!userId) {
        userId = randomSecret(32);
        repos.auth.updateAdmin(admin.id, { webauthnUserId: userId });
      }
      const options = await generateRegistrationOptions({
        rpName: 'Herald',
        rpID,
        userName: admin.email,
        userDisplayName: admin.name || admin.email,
        userID: toBytes(userId),
        attestationType: 'none',
        excludeCredentials: repos.passkeys
          .ofAdmin(admin.id)
          .map((p) => ({ id: p.id, ...(p.transports ? { transports: p.transports } : {}) })),
        // Discoverable, so it can sign in without an e-mail typed first; verified, so it is two factors in one.
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      return { options, challenge: seal('register', admin.id, options.challenge) };
    },

    async register(
      actor: Member,
      sealed: string | undefined,
      input: { name?: unknown; response?: unknown },
    ): Promise<PasskeyRow> {
      const { name } = parseInput(nameSchema, { name: input.name });
      const challenge = open(sealed, 'register', actor.id);
      let info;
      try {
        const result = await verifyRegistrationResponse({
          response: input.response as RegistrationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: true,
        });
        if (!result.verified) throw new Error('not verified');
        info = result.registrationInfo;
      } catch (err) {
        throw new PasskeyRefused(`The new passkey was not accepted (${(err as Error).message}).`);
      }
      const row: PasskeyRow = {
        id: info.credential.id,
        adminId: actor.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: info.credential.transports ?? null,
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        name,
        createdAt: clock.now(),
        lastUsedAt: null,
      };
      database.immediate(() => {
        if (repos.passkeys.get(row.id)) throw new PasskeyRefused('This passkey is already registered.');
        repos.passkeys.insert(row);
        recordAudit(deps, actor, { kind: 'mfa.passkey_add', targetId: row.id, summary: `Added the passkey "${name}"` });
      });
      return row;
    },

    rename(actor: Member, id: string, input: { name?: unknown }): void {
      const { name } = parseInput(nameSchema, input);
      if (repos.passkeys.update(id, actor.id, { name }) !== 1) throw new NotFoundError('Passkey');
    },

    remove(actor: Member, id: string): void {
      database.immediate(() => {
        const row = repos.passkeys.get(id);
        if (!row || row.adminId !== actor.id) throw new NotFoundError('Passkey');
        repos.passkeys.delete(id, actor.id);
        // With no second factor left, the recovery codes go too (as when the app is removed): adding a factor later
        // must not bring old codes back to life.
        const member = repos.auth.getAdmin(actor.id);
        if (member && member.totpEnabledAt === null && repos.passkeys.countOfAdmin(actor.id) === 0)
          repos.auth.updateAdmin(actor.id, { recoveryCodes: null });
        recordAudit(deps, actor, {
          kind: 'mfa.passkey_remove',
          targetId: id,
          summary: `Removed the passkey "${row.name}"`,
        });
      });
    },

    /** Sign-in with a passkey alone: no e-mail first, the browser offers the passkeys it holds for this site. */
    async signInOptions(): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; challenge: string }> {
      const options = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
      return { options, challenge: seal('signin', null, options.challenge) };
    },

    async signIn(
      sealed: string | undefined,
      response: AuthenticationResponseJSON,
      meta: SignInMeta,
    ): Promise<{ admin: AdminRow; cookie: string; session: SessionRow }> {
      const challenge = open(sealed, 'signin', null);
      const row = typeof response?.id === 'string' ? repos.passkeys.get(response.id) : undefined;
      const admin = row ? repos.auth.getAdmin(row.adminId) : undefined;
      // The authenticator names the account it signed for; it must be the passkey's member.
      if (!row || !admin || response.response?.userHandle !== admin.webauthnUserId) {
        auth.signInFailed('(unknown passkey)', 'A passkey Herald does not know', meta);
        throw new PasskeyRefused('This passkey is not registered with Herald. Sign in with your password.');
      }
      try {
        await assert(response, challenge, row, true);
      } catch (err) {
        auth.signInFailed(admin.email, 'A passkey that did not verify', meta);
        throw err;
      }
      return { admin, ...auth.signedIn(admin, 'passkey', meta) };
    },

    /** The second step after a password: one of the member's own passkeys. */
    async secondStepOptions(
      pending: SessionRow,
    ): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; challenge: string }> {
      const adminId = pending.adminId ?? '';
      const options = await generateAuthenticationOptions({
        rpID,
        allowCredentials: repos.passkeys
          .ofAdmin(adminId)
          .map((p) => ({ id: p.id, ...(p.transports ? { transports: p.transports } : {}) })),
        // The password was the first factor: presence on the authenticator is the second.
        userVerification: 'preferred',
      });
      return { options, challenge: seal('verify', adminId, options.challenge) };
    },

    async verifyPending(
      pending: SessionRow,
      sealed: string | undefined,
      response: AuthenticationResponseJSON,
      meta: SignInMeta,
    ): Promise<{ cookie: string; session: SessionRow }> {
      const admin = adminOf(pending.adminId ?? '');
      const challenge = open(sealed, 'verify', admin.id);
      const row = typeof response?.id === 'string' ? repos.passkeys.get(response.id) : undefined;
      if (!row || row.adminId !== admin.id) {
        auth.signInFailed(admin.email, 'A passkey of someone else at the second step', meta);
        throw new PasskeyRefused('This passkey is not one of yours.');
      }
      try {
        await assert(response, challenge, row, false);
      } catch (err) {
        auth.signInFailed(admin.email, 'A passkey that did not verify at the second step', meta);
        throw err;
      }
      repos.auth.deleteSession(pending.idHash);
      return auth.signedIn(admin, 'password+passkey', meta);
    },
  };
}
