import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import type { Actor } from '../domain/actor.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { can } from '../domain/roles.js';
import type { AdminRow, SessionRow } from '../db/repos/index.js';
import { sha256 } from '../lib/crypto.js';
import { recordAudit } from './audit.js';
import type { AuthService, SignInMeta } from './auth-service.js';
import type { ServiceDeps } from './deps.js';

type Member = Extract<Actor, { kind: 'admin' }>;

/** The owner's "Require two factors for everyone" (a row in settings while it is on). */
const REQUIRE_MFA_KEY = 'require_mfa';

/** RFC 6238 as every authenticator app reads it (Google Authenticator ignores anything else). */
const TOTP_SHAPE = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** One step either side: a phone clock a little off, or a code typed as it changed. */
const TOTP_WINDOW = 1;
const RECOVERY_CODES = 10;
/** Wrong codes allowed at the second step before the half-open sign-in is thrown away (the password again). */
const SECOND_STEP_TRIES = 5;
/** Wrong codes allowed per member in the window across sign-ins, before the second step waits out the window. */
const MEMBER_TRIES = 10;
const MEMBER_WINDOW_MS = 15 * 60_000;

const CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Ten characters of Crockford base32 (50 bits) in two groups: easy to copy by hand, impossible to guess. */
function newRecoveryCode(): string {
  const chars = [...randomBytes(10)].map((b) => CODE_ALPHABET[b % 32]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** What was typed, in the form its hash was taken: no spaces or dashes, lower case, I/L read as 1, O as 0. */
function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
}

export interface TotpEnrolment {
  /** The secret in base32, for typing into an app by hand. */
  key: string;
  /** The otpauth:// URI the QR code holds. */
  uri: string;
  /** The QR code as an SVG data URI (an <img>, so nothing is injected into the page). */
  qr: string;
}

/**
 * Second factors: a TOTP app with its recovery codes, the second step of a password sign-in, and the owner's rule
 * that every member needs two factors. Passkeys live in passkeys-service.ts.
 */
export function twoFactorService(deps: ServiceDeps, auth: AuthService) {
  const { repos, clock, database, box } = deps;

  const sealAad = (adminId: string) => `admins.totp_secret:${adminId}`;

  function totpOf(admin: AdminRow, sealed: string): OTPAuth.TOTP {
    return new OTPAuth.TOTP({
      issuer: 'Herald',
      label: admin.email,
      secret: OTPAuth.Secret.fromBase32(box.decrypt(sealed, sealAad(admin.id))),
      ...TOTP_SHAPE,
    });
  }

  function adminOf(id: string): AdminRow {
    const admin = repos.auth.getAdmin(id);
    if (!admin) throw new NotFoundError('Team member');
    return admin;
  }

  /**
   * Checks a TOTP code against the member's secret. A code is spent once used: the time step it matched is kept, and
   * a code of that step or an earlier one is refused (RFC 6238 §5.2). Only a confirmed app counts, except for the
   * code that confirms it (`enrolling`): a secret shown but never confirmed is no second factor.
   */
  function checkTotp(admin: AdminRow, code: string, enrolling = false): boolean {
    if (!admin.totpSecret || (!enrolling && admin.totpEnabledAt === null)) return false;
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) return false;
    const now = clock.now();
    const delta = totpOf(admin, admin.totpSecret).validate({ token, timestamp: now, window: TOTP_WINDOW });
    if (delta === null) return false;
    const step = Math.floor(now / 1000 / TOTP_SHAPE.period) + delta;
    const key = `totp-step:${admin.id}`;
    const last = repos.auth.getFailure(key);
    if (last && last.failures >= step) return false;
    repos.auth.putFailure({ key, failures: step, firstAt: now, blockedUntil: 0 });
    return true;
  }

  /** Spends one recovery code: true when it was one of the member's unused ones. */
  function useRecoveryCode(admin: AdminRow, code: string): boolean {
    const hash = sha256(normaliseRecoveryCode(code));
    const codes = admin.recoveryCodes ?? [];
    if (!codes.includes(hash)) return false;
    repos.auth.updateAdmin(admin.id, { recoveryCodes: codes.filter((c) => c !== hash) });
    return true;
  }

  function freshRecoveryCodes(adminId: string): string[] {
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    repos.auth.updateAdmin(adminId, { recoveryCodes: codes.map((c) => sha256(normaliseRecoveryCode(c))) });
    return codes;
  }

  async function enrolmentOf(admin: AdminRow, sealed: string): Promise<TotpEnrolment> {
    const totp = totpOf(admin, sealed);
    const uri = totp.toString();
    const svg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    return { key: totp.secret.base32, uri, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
  }

  function requireMfa(): boolean {
    return repos.system.getSetting(REQUIRE_MFA_KEY) === 'on';
  }

  return {
    requireMfa,

    /** Only an owner may turn the rule on or off (it binds every owner too). */
    setRequireMfa(actor: Member, on: boolean): void {
      if (!can(actor.access.role, 'instance.manage'))
        throw new ForbiddenError('Only an owner can change whether two factors are required.');
      database.immediate(() => {
        const before = requireMfa();
        if (before === on) return;
        // The rule binds its owner too: turned on by someone with one factor, it would lock them out at once.
        if (on && !auth.hasSecondFactor(adminOf(actor.id)))
          throw new ConflictError('Add a passkey or an authenticator app to your own account first.');
        if (on) repos.system.putSetting(REQUIRE_MFA_KEY, 'on', clock.now());
        else repos.system.deleteSetting(REQUIRE_MFA_KEY);
        recordAudit(deps, actor, {
          kind: 'settings.update',
          summary: on ? 'Required two factors for everyone' : 'Stopped requiring two factors',
          before: { requireMfa: before },
          after: { requireMfa: on },
        });
      });
    },

    /**
     * Under the owner's rule, a member who signed in with a password alone and has no second factor must enrol one
     * before anything else. Single sign-on (the provider's own factors) and a passkey (something held plus a PIN or
     * a fingerprint) count as two.
     */
    mustEnrol(session: SessionRow, admin: AdminRow): boolean {
      if (!requireMfa()) return false;
      if (session.authMethod !== null && session.authMethod !== 'password') return false;
      return !auth.hasSecondFactor(admin);
    },

    /** What the security page shows about the member's TOTP and recovery codes. */
    status(adminId: string): { totpEnabled: boolean; enrolling: boolean; recoveryLeft: number } {
      const admin = adminOf(adminId);
      return {
        totpEnabled: admin.totpEnabledAt !== null,
        enrolling: admin.totpEnabledAt === null && admin.totpSecret !== null,
        recoveryLeft: admin.recoveryCodes?.length ?? 0,
      };
    },

    /** Starts (or restarts) enrolling an authenticator app: a new secret, not in force until a code confirms it. */
    async startTotp(actor: Member): Promise<TotpEnrolment> {
      const admin = adminOf(actor.id);
      if (admin.totpEnabledAt !== null)
        throw new ConflictError('An authenticator app is already set up; remove it first.');
      const secret = new OTPAuth.Secret({ size: 20 }).base32;
      const sealed = box.encrypt(secret, sealAad(admin.id));
      database.immediate(() => {
        repos.auth.updateAdmin(admin.id, { totpSecret: sealed });
        // The last step used belonged to the old secret.
        repos.auth.clearFailure(`totp-step:${admin.id}`);
      });
      return enrolmentOf(admin, sealed);
    },

    /** The enrolment under way (the page shown again after a wrong code); null when none is. */
    async enrolment(adminId: string): Promise<TotpEnrolment | null> {
      const admin = adminOf(adminId);
      if (admin.totpEnabledAt !== null || !admin.totpSecret) return null;
      return enrolmentOf(admin, admin.totpSecret);
    },

    /** A right code from the app puts it in force; the recovery codes come with it, shown this once. */
    confirmTotp(actor: Member, code: string): { recoveryCodes: string[] } {
      return database.immediate(() => {
        const admin = adminOf(actor.id);
        if (admin.totpEnabledAt !== null) throw new ConflictError('The authenticator app is already set up.');
        if (!admin.totpSecret) throw new ConflictError('Start setting up the authenticator app first.');
        if (!checkTotp(admin, code, true)) throw ValidationError.field('code', 'is not the code the app shows now');
        repos.auth.updateAdmin(admin.id, { totpEnabledAt: clock.now() });
        const recoveryCodes = freshRecoveryCodes(admin.id);
        recordAudit(deps, actor, {
          kind: 'mfa.totp_enable',
          targetId: admin.id,
          summary: 'Set up an authenticator app',
        });
        return { recoveryCodes };
      });
    },

    /** Removing the app takes a current code (or a recovery code): a borrowed session alone cannot do it. */
    disableTotp(actor: Member, code: string): void {
      database.immediate(() => {
        const admin = adminOf(actor.id);
        if (admin.totpEnabledAt === null) throw new ConflictError('No authenticator app is set up.');
        if (!checkTotp(admin, code) && !useRecoveryCode(admin, code))
          throw ValidationError.field('code', 'is neither the code the app shows now nor an unused recovery code');
        const passkeysLeft = repos.passkeys.countOfAdmin(admin.id) > 0;
        repos.auth.updateAdmin(admin.id, {
          totpSecret: null,
          totpEnabledAt: null,
          // Recovery codes stand in for a second factor; with none left they would stand in for nothing.
          ...(passkeysLeft ? {} : { recoveryCodes: null }),
        });
        recordAudit(deps, actor, {
          kind: 'mfa.totp_disable',
          targetId: admin.id,
          summary: 'Removed the authenticator app',
        });
      });
    },

    /** New recovery codes; the old ones stop working at once. */
    regenerateRecoveryCodes(actor: Member): string[] {
      return database.immediate(() => {
        const admin = adminOf(actor.id);
        if (!auth.hasSecondFactor(admin))
          throw new ConflictError('Recovery codes stand in for a second factor: set up an app or a passkey first.');
        const codes = freshRecoveryCodes(admin.id);
        recordAudit(deps, actor, {
          kind: 'mfa.recovery_regenerate',
          targetId: admin.id,
          summary: 'Made new recovery codes',
        });
        return codes;
      });
    },

    /**
     * The second step of a password sign-in with a TOTP or recovery code. Right: the half-open session is replaced by
     * a full one (a new id, as the privilege changed). Wrong too often: the half-open session ends.
     */
    verifyPending(
      pending: SessionRow,
      code: string,
      meta: SignInMeta,
    ): { cookie: string; session: SessionRow } | { error: string; restart: boolean } {
      const admin = adminOf(pending.adminId ?? '');
      const triesKey = `second-step:${pending.idHash}`;
      // Per member too: someone who has the password could otherwise start over every five guesses.
      const memberKey = `second-step-member:${admin.id}`;
      const now = clock.now();
      const outcome = database.immediate(() => {
        const member = repos.auth.getFailure(memberKey);
        if (member && member.blockedUntil > now) return { blockedMs: member.blockedUntil - now };
        if (checkTotp(admin, code)) return 'password+totp' as const;
        if (useRecoveryCode(admin, code)) return 'password+recovery' as const;
        const fresh = !member || member.firstAt < now - MEMBER_WINDOW_MS;
        const failures = fresh ? 1 : member.failures + 1;
        const blockedUntil = failures >= MEMBER_TRIES ? now + MEMBER_WINDOW_MS : 0;
        repos.auth.putFailure({ key: memberKey, failures, firstAt: fresh ? now : member.firstAt, blockedUntil });
        return null;
      });
      if (typeof outcome === 'string') {
        database.immediate(() => {
          repos.auth.clearFailure(triesKey);
          repos.auth.clearFailure(memberKey);
          repos.auth.deleteSession(pending.idHash);
        });
        return auth.signedIn(admin, outcome, meta);
      }
      auth.signInFailed(admin.email, 'Wrong second-factor code', meta);
      if (outcome) {
        const minutes = Math.ceil(outcome.blockedMs / 60_000);
        return { error: `Too many wrong codes for this account. Try again in ${minutes} minutes.`, restart: false };
      }
      const tries = (repos.auth.getFailure(triesKey)?.failures ?? 0) + 1;
      if (tries >= SECOND_STEP_TRIES) {
        database.immediate(() => {
          repos.auth.clearFailure(triesKey);
          repos.auth.deleteSession(pending.idHash);
        });
        return { error: 'Too many wrong codes. Sign in again with your password.', restart: true };
      }
      repos.auth.putFailure({ key: triesKey, failures: tries, firstAt: now, blockedUntil: 0 });
      return { error: 'That code did not work. Type the code your app shows now, or a recovery code.', restart: false };
    },
  };
}
