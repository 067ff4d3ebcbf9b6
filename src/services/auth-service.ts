import { z } from 'zod';
import { HeraldError, NotFoundError, ValidationError, ConflictError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import { type Access, ROLES } from '../domain/roles.js';
import type { AdminRow, ClientRow, InviteRow, SessionRow } from '../db/repos/index.js';
import { safeEqual, sha256, Signer } from '../lib/crypto.js';
import { newId, randomSecret } from '../lib/ids.js';
import { burnVerification, hashPassword, verifyPassword } from '../lib/passwords.js';
import type { ServiceDeps } from './deps.js';
import { memberAccess } from './access.js';
import { moduleLogger } from '../log.js';
import { recordAudit } from './audit.js';
import type { Actor } from '../domain/actor.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Admin sessions slide for a working day and end after two weeks; portal sessions last longer. */
export const SESSION_POLICY = {
  admin: { idleMs: 24 * HOUR, absoluteMs: 14 * DAY },
  portal: { idleMs: 7 * DAY, absoluteMs: 30 * DAY },
} as const;

/**
 * Sign-in attempts allowed inside the window before sign-in slows down: few per account from
 * unknown browsers and per trusted browser (guessing one password), more per address (an
 * office shares one address). Every attempt counts when it starts; a success takes it back.
 */
const THROTTLE = {
  window: 15 * MINUTE,
  perAccount: 5,
  perDevice: 5,
  perAddress: 20,
  baseBlock: 30_000,
  maxBlock: 15 * MINUTE,
} as const;

/** How long a right password waits for its second factor before the sign-in starts over. */
const PENDING_MS = 10 * MINUTE;

/** How long a browser stays "known" after signing in: long enough to outlast any lockout. */
export const DEVICE_COOKIE_MS = 365 * DAY;

const SETUP_CODE_KEY = 'setup_code';

const passwordSchema = z.string().min(10, 'must be at least 10 characters').max(1000, 'is too long');

export const adminInputSchema = z.object({
  email: z.string().trim().toLowerCase().email('must be an email address'),
  password: passwordSchema,
  name: z.string().trim().max(200, 'must be at most 200 characters').default(''),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }).default('owner'),
});

export class LoginRefused extends HeraldError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(retryAfterMs ? 'rate_limited' : 'unauthorized', message);
  }
}

/** A throttle counter in login_failures and the attempts it allows before blocking. */
interface ThrottleKey {
  key: string;
  free: number;
}

/** A single-use sign-in link that was used already. */
export class InviteUsed extends ConflictError {
  constructor(readonly invite: InviteRow) {
    super('This sign-in link was used already; each link in an email works once.');
  }
}

/** Where a sign-in came from: kept on the session so the member can recognise it in their list of sessions. */
export interface SignInMeta {
  /** The client address (see TRUST_PROXY). */
  address: string;
  userAgent?: string | undefined;
}

/** How a member signed in (sessions.auth_method): a first factor, and the second one when one was asked for. */
export type AuthMethod = 'password' | 'passkey' | 'sso' | 'password+totp' | 'password+recovery' | 'password+passkey';

export interface LoginAttempt extends SignInMeta {
  email: string;
  password: string;
  /** The device cookie this browser presented, if any. */
  deviceCookie?: string | undefined;
}

function waitText(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export interface ResolvedSession {
  session: SessionRow;
  admin: AdminRow | null;
  /** The team member's role and clients (admin sessions only). */
  access: Access | null;
  client: ClientRow | null;
}

export function authService(deps: ServiceDeps) {
  const { repos, clock, database, config } = deps;
  const log = moduleLogger(deps.log, 'auth');

  // Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device Cookies"): a browser
  // that signed in before holds `v1.<admin id>.<nonce>` signed with a key from SECRET_KEY.
  const devices = new Signer(config.secretKey, 'device-cookie');

  function issueDeviceCookie(adminId: string): string {
    return devices.sign(`v1.${adminId}.${randomSecret(16)}`);
  }

  /** The nonce of a valid device cookie issued to this admin; null for anything else. */
  function trustedDevice(cookie: string | undefined, adminId: string): string | null {
    const [version, owner, nonce, extra] = (devices.open(cookie) ?? '').split('.');
    return version === 'v1' && owner === adminId && nonce && extra === undefined ? nonce : null;
  }

  /**
   * Counts an attempt against every key before its password is checked, in one write
   * transaction, so that parallel attempts cannot all slip in before the first failure is
   * written. A key that is blocked refuses the attempt (and counts nothing): the wait is
   * returned. The attempt that reaches a key's allowance blocks that key for the next ones,
   * for a time that doubles with each attempt over it.
   */
  function admitAttempt(keys: ThrottleKey[]): number {
    const now = clock.now();
    return database.immediate(() => {
      const rows = keys.map(({ key }) => repos.auth.getFailure(key));
      const wait = Math.max(0, ...rows.map((row) => (row ? row.blockedUntil - now : 0)));
      if (wait > 0) return wait;
      keys.forEach(({ key, free }, i) => {
        const row = rows[i];
        const fresh = !row || row.firstAt < now - THROTTLE.window;
        const failures = fresh ? 1 : row.failures + 1;
        const over = failures - free;
        const blockedUntil = over >= 0 ? now + Math.min(THROTTLE.baseBlock * 2 ** over, THROTTLE.maxBlock) : 0;
        repos.auth.putFailure({ key, failures, firstAt: fresh ? now : row.firstAt, blockedUntil });
      });
      return 0;
    });
  }

  /** A successful attempt is taken back: the account's (or device's) slate is wiped, the address's one refunded. */
  function attemptSucceeded(keys: ThrottleKey[]): void {
    database.immediate(() => {
      for (const { key, free } of keys) {
        const row = repos.auth.getFailure(key);
        if (!row) continue;
        if (!key.startsWith('ip:')) {
          repos.auth.clearFailure(key);
          continue;
        }
        const failures = Math.max(0, row.failures - 1);
        repos.auth.putFailure({ ...row, failures, blockedUntil: failures >= free ? row.blockedUntil : 0 });
      }
    });
  }

  async function createAdmin(input: unknown): Promise<AdminRow> {
    const data = parseInput(adminInputSchema, input);
    if (repos.auth.adminByEmail(data.email)) throw ValidationError.field('email', 'an admin with this email exists');
    const row: AdminRow = {
      id: newId('adm', clock.now()),
      email: data.email,
      name: data.name,
      passwordHash: await hashPassword(data.password),
      timezone: 'UTC',
      digestHour: 8,
      oidcSubject: null,
      createdAt: clock.now(),
      lastLoginAt: null,
      role: data.role,
      totpSecret: null,
      totpEnabledAt: null,
      recoveryCodes: null,
      webauthnUserId: null,
    };
    repos.auth.insertAdmin(row);
    return row;
  }

  function createSession(
    kind: SessionRow['kind'],
    owner: { adminId?: string; clientId?: string; inviteId?: string },
    notAfter = Number.POSITIVE_INFINITY,
    how: { meta?: SignInMeta; authMethod?: AuthMethod; mfaPending?: boolean } = {},
  ): { cookie: string; session: SessionRow } {
    const cookie = randomSecret(32);
    const now = clock.now();
    const policy = SESSION_POLICY[kind];
    const session: SessionRow = {
      idHash: sha256(cookie),
      kind,
      adminId: owner.adminId ?? null,
      clientId: owner.clientId ?? null,
      inviteId: owner.inviteId ?? null,
      csrfToken: randomSecret(24),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: Math.min(now + policy.idleMs, notAfter),
      authMethod: how.authMethod ?? null,
      mfaPending: how.mfaPending ?? false,
      // A user agent is the browser's to say: kept short, it is only shown back to the member.
      userAgent: how.meta?.userAgent?.slice(0, 400) ?? null,
      ip: how.meta?.address ?? null,
    };
    repos.auth.insertSession(session);
    return { cookie, session };
  }

  function memberActor(admin: AdminRow): Actor {
    return { kind: 'admin', id: admin.id, email: admin.email, access: memberAccess(deps, admin) };
  }

  /** A password is not enough for a member with a TOTP app or a passkey: the second step is still owed. */
  function hasSecondFactor(admin: AdminRow): boolean {
    return admin.totpEnabledAt !== null || repos.passkeys.countOfAdmin(admin.id) > 0;
  }

  /**
   * Opens a member's full session after every factor they owe was checked, with the sign-in in the audit trail in
   * the same transaction.
   */
  function signedIn(
    admin: AdminRow,
    authMethod: AuthMethod,
    meta: SignInMeta,
  ): { cookie: string; session: SessionRow } {
    return database.immediate(() => {
      const opened = createSession('admin', { adminId: admin.id }, Number.POSITIVE_INFINITY, { meta, authMethod });
      repos.auth.updateAdmin(admin.id, { lastLoginAt: clock.now() });
      recordAudit(deps, memberActor(admin), {
        kind: 'signin.ok',
        targetId: admin.id,
        summary: `Signed in (${authMethod})`,
        ip: meta.address,
      });
      return opened;
    });
  }

  /** A refused sign-in in the audit trail: nobody is signed in, so the actor is the e-mail that was tried. */
  function signInFailed(email: string, summary: string, meta: SignInMeta): void {
    database.immediate(() =>
      recordAudit(
        deps,
        { kind: 'anonymous', label: email.slice(0, 200) || '(no e-mail)' },
        {
          kind: 'signin.fail',
          summary,
          ip: meta.address,
        },
      ),
    );
  }

  return {
    createAdmin,
    createSession,
    signedIn,
    signInFailed,
    hasSecondFactor,

    hasAdmin(): boolean {
      return repos.auth.countAdmins() > 0;
    },

    /** ADMIN_EMAIL/ADMIN_PASSWORD create the first admin at start-up, only while there is none. */
    async ensureConfiguredAdmin(): Promise<AdminRow | null> {
      if (!config.admin || repos.auth.countAdmins() > 0) return null;
      const admin = await createAdmin({ email: config.admin.email, password: config.admin.password, name: '' });
      log.info({ email: admin.email }, 'created the first admin from ADMIN_EMAIL');
      return admin;
    },

    /** The one-time code /setup asks for, shared by every process on the file; null once an admin exists. */
    setupCode(): string | null {
      if (repos.auth.countAdmins() > 0) return null;
      return database.immediate(() => {
        const existing = repos.system.getSetting(SETUP_CODE_KEY);
        if (existing) return existing;
        const code = randomSecret(6).replace(/[-_]/g, 'x').slice(0, 8).toUpperCase();
        repos.system.putSetting(SETUP_CODE_KEY, code, clock.now());
        return code;
      });
    },

    async completeSetup(input: { code: string; email: string; password: string; name?: string }): Promise<AdminRow> {
      const expected = repos.system.getSetting(SETUP_CODE_KEY);
      if (repos.auth.countAdmins() > 0) throw new ConflictError('Herald is already set up; sign in instead.');
      if (!expected || !safeEqual(input.code.trim().toUpperCase(), expected))
        throw ValidationError.field('code', 'is not the code printed in the server log');
      const admin = await createAdmin(input);
      repos.system.deleteSetting(SETUP_CODE_KEY);
      return admin;
    },

    /**
     * Checks a sign-in. Unknown e-mail and wrong password get the same answer in the same time.
     * A browser with this admin's device cookie is limited only by its own failures, so nobody
     * elsewhere can lock it out; every other browser is limited per account (all of them
     * together) and per client address. A success hands out a fresh device cookie.
     */
    async login(
      attempt: LoginAttempt,
    ): Promise<{ admin: AdminRow; cookie: string; session: SessionRow; deviceCookie: string; pending: boolean }> {
      const email = attempt.email.trim().toLowerCase();
      const admin = email ? repos.auth.adminByEmail(email) : undefined;
      const device = admin ? trustedDevice(attempt.deviceCookie, admin.id) : null;
      const keys: ThrottleKey[] =
        admin && device
          ? [{ key: `device:${admin.id}:${device}`, free: THROTTLE.perDevice }]
          : [
              { key: `email:${email}`, free: THROTTLE.perAccount },
              { key: `ip:${attempt.address}`, free: THROTTLE.perAddress },
            ];
      const wait = admitAttempt(keys);
      if (wait > 0) {
        log.debug({ ip: attempt.address, knownDevice: device !== null }, 'sign-in throttled');
        throw new LoginRefused(`Too many failed sign-ins. Try again in ${waitText(wait)}.`, wait);
      }
      const password = attempt.password;
      const ok = admin?.passwordHash
        ? await verifyPassword(admin.passwordHash, password)
        : await burnVerification(password).then(() => false);
      if (!ok || !admin) {
        log.warn({ ip: attempt.address, knownDevice: device !== null }, 'failed sign-in');
        signInFailed(email, 'Wrong e-mail or password', attempt);
        throw new LoginRefused('Invalid email or password.');
      }
      attemptSucceeded(keys);
      const deviceCookie = issueDeviceCookie(admin.id);
      if (hasSecondFactor(admin)) {
        // Right password, second factor owed: this session opens only /login/verify (and /logout).
        const pending = createSession('admin', { adminId: admin.id }, clock.now() + PENDING_MS, {
          meta: attempt,
          authMethod: 'password',
          mfaPending: true,
        });
        return { admin, ...pending, deviceCookie, pending: true };
      }
      return { admin, ...signedIn(admin, 'password', attempt), deviceCookie, pending: false };
    },

    /**
     * A new password for a signed-in admin who knows the current one. Every session of the admin
     * ends (a thief's among them); the caller gets a fresh one for the browser that asked.
     */
    async changePassword(
      adminId: string,
      input: { currentPassword: string; newPassword: string; confirmPassword: string },
      /** The session asking: its replacement keeps how it was signed in to, and where from. */
      current?: { session: SessionRow; meta: SignInMeta },
    ): Promise<{ cookie: string; session: SessionRow }> {
      const admin = repos.auth.getAdmin(adminId);
      if (!admin) throw new NotFoundError('Admin');
      // A stolen session must not become a way to guess the password at full speed.
      const keys = [{ key: `password-change:${admin.id}`, free: THROTTLE.perAccount }];
      const wait = admitAttempt(keys);
      if (wait > 0) {
        throw ValidationError.field('currentPassword', `too many wrong attempts; try again in ${waitText(wait)}`);
      }
      if (!admin.passwordHash) {
        throw ValidationError.field('currentPassword', 'this account signs in through single sign-on, without one');
      }
      if (!(await verifyPassword(admin.passwordHash, input.currentPassword))) {
        throw ValidationError.field('currentPassword', 'is not your current password');
      }
      attemptSucceeded(keys);
      const { newPassword } = parseInput(z.object({ newPassword: passwordSchema }), { newPassword: input.newPassword });
      if (input.confirmPassword !== newPassword) {
        throw ValidationError.field('confirmPassword', 'does not match the new password');
      }
      const passwordHash = await hashPassword(newPassword);
      database.immediate(() => {
        repos.auth.updateAdmin(admin.id, { passwordHash });
        repos.auth.deleteSessionsOfAdmin(admin.id);
      });
      log.info({ email: admin.email }, 'password changed; sessions ended');
      return createSession('admin', { adminId: admin.id }, Number.POSITIVE_INFINITY, {
        ...(current ? { meta: current.meta } : {}),
        ...(current?.session.authMethod ? { authMethod: current.session.authMethod as AuthMethod } : {}),
      });
    },

    /** Sets an admin's password without the old one (the command line); ends every session of theirs. */
    async resetPassword(emailInput: string, password: string): Promise<{ admin: AdminRow; sessionsEnded: number }> {
      const admin = repos.auth.adminByEmail(emailInput.trim().toLowerCase());
      if (!admin) throw new NotFoundError(`An admin with the email ${emailInput.trim()}`);
      const parsed = parseInput(z.object({ password: passwordSchema }), { password }).password;
      const passwordHash = await hashPassword(parsed);
      const sessionsEnded = database.immediate(() => {
        repos.auth.updateAdmin(admin.id, { passwordHash });
        return repos.auth.deleteSessionsOfAdmin(admin.id);
      });
      log.info({ email: admin.email }, 'password reset; sessions ended');
      return { admin, sessionsEnded };
    },

    /** Ends every session of this admin, on every browser. */
    signOutEverywhere(adminId: string): number {
      return repos.auth.deleteSessionsOfAdmin(adminId);
    },

    /** The session behind a cookie, sliding its idle expiry (written at most once a minute). */
    resolveSession(cookie: string | undefined): ResolvedSession | null {
      if (!cookie) return null;
      const idHash = sha256(cookie);
      const session = repos.auth.getSession(idHash);
      const now = clock.now();
      if (!session) return null;
      const policy = SESSION_POLICY[session.kind];
      // A portal session lives only as long as the invite it was opened with: revoked or expired,
      // the session ends on its next request.
      let notAfter = Number.POSITIVE_INFINITY;
      if (session.kind === 'portal') {
        const invite = session.inviteId ? repos.clients.getInvite(session.inviteId) : undefined;
        const valid = invite && invite.revokedAt === null && invite.clientId === session.clientId;
        notAfter = valid ? invite.expiresAt : 0;
      }
      if (session.mfaPending) notAfter = session.createdAt + PENDING_MS;
      if (session.expiresAt <= now || session.createdAt + policy.absoluteMs <= now || notAfter <= now) {
        repos.auth.deleteSession(idHash);
        return null;
      }
      if (now - session.lastSeenAt > MINUTE) {
        const expiresAt = Math.min(now + policy.idleMs, session.createdAt + policy.absoluteMs, notAfter);
        repos.auth.touchSession(idHash, now, expiresAt);
      }
      const admin = session.adminId ? (repos.auth.getAdmin(session.adminId) ?? null) : null;
      const client = session.clientId ? (repos.clients.get(session.clientId) ?? null) : null;
      if (session.kind === 'admin' && !admin) return null;
      if (session.kind === 'portal' && (!client || client.status === 'archived')) return null;
      const access = admin ? memberAccess(deps, admin) : null;
      return { session, admin, access, client };
    },

    destroySession(cookie: string | undefined): void {
      if (cookie) repos.auth.deleteSession(sha256(cookie));
    },

    /** Signing out of a member's own session, in the audit trail (a pending sign-in was never in). */
    signOut(cookie: string | undefined, meta: SignInMeta): void {
      if (!cookie) return;
      const idHash = sha256(cookie);
      database.immediate(() => {
        const session = repos.auth.getSession(idHash);
        const admin = session?.kind === 'admin' && session.adminId ? repos.auth.getAdmin(session.adminId) : undefined;
        if (admin && !session?.mfaPending) {
          recordAudit(deps, memberActor(admin), {
            kind: 'signout',
            targetId: admin.id,
            summary: 'Signed out',
            ip: meta.address,
          });
        }
        repos.auth.deleteSession(idHash);
      });
    },

    /**
     * Opens a client portal session from an invite link's secret. A single-use link (the ones
     * mailed to client contacts) is marked used in the same transaction that creates the
     * session, so two clicks at once cannot both get in; a second use is an InviteUsed.
     */
    openInvite(secret: string): { client: ClientRow; invite: InviteRow; cookie: string; session: SessionRow } {
      return database.immediate(() => {
        const invite = repos.clients.inviteByHash(sha256(secret));
        const now = clock.now();
        if (!invite || invite.revokedAt !== null || invite.expiresAt <= now) throw new NotFoundError('Invite');
        const client = repos.clients.get(invite.clientId);
        if (!client || client.status === 'archived') throw new NotFoundError('Invite');
        if (invite.singleUse && invite.usedAt !== null) throw new InviteUsed(invite);
        repos.clients.updateInvite(invite.id, { lastUsedAt: now, ...(invite.singleUse ? { usedAt: now } : {}) });
        const opened = createSession('portal', { clientId: client.id, inviteId: invite.id }, invite.expiresAt);
        return { client, invite, ...opened };
      });
    },

    admins(): AdminRow[] {
      return repos.auth.listAdmins();
    },

    /** Housekeeping for the maintenance job. */
    purgeExpired(): { sessions: number; failures: number } {
      const now = clock.now();
      return { sessions: repos.auth.deleteExpiredSessions(now), failures: repos.auth.deleteStaleFailures(now - DAY) };
    },
  };
}
export type AuthService = ReturnType<typeof authService>;
