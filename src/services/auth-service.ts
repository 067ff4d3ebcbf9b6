import { z } from 'zod';
import { HeraldError, NotFoundError, ValidationError, ConflictError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { AdminRow, ClientRow, InviteRow, SessionRow } from '../db/repos/index.js';
import { safeEqual, sha256 } from '../lib/crypto.js';
import { newId, randomSecret } from '../lib/ids.js';
import { burnVerification, hashPassword, verifyPassword } from '../lib/passwords.js';
import type { ServiceDeps } from './deps.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Admin sessions slide for a working day and end after two weeks; portal sessions last longer. */
export const SESSION_POLICY = {
  admin: { idleMs: 24 * HOUR, absoluteMs: 14 * DAY },
  portal: { idleMs: 7 * DAY, absoluteMs: 30 * DAY },
} as const;

/**
 * Failures allowed inside the window before sign-in slows down: few per e-mail (guessing one
 * account's password), more per address (an office shares one address).
 */
const THROTTLE = { window: 15 * MINUTE, freePerEmail: 5, freePerAddress: 20, baseBlock: 30_000, maxBlock: 15 * MINUTE } as const;

const SETUP_CODE_KEY = 'setup_code';

export const adminInputSchema = z.object({
  email: z.string().trim().toLowerCase().email('must be an email address'),
  password: z.string().min(10, 'must be at least 10 characters').max(1000, 'is too long'),
  name: z.string().trim().max(200, 'must be at most 200 characters').default(''),
});

export class LoginRefused extends HeraldError {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(retryAfterMs ? 'rate_limited' : 'unauthorized', message);
  }
}

export interface ResolvedSession {
  session: SessionRow;
  admin: AdminRow | null;
  client: ClientRow | null;
}

export function authService(deps: ServiceDeps) {
  const { repos, clock, database, config, log } = deps;

  function blockedFor(key: string): number {
    const row = repos.auth.getFailure(key);
    const now = clock.now();
    return row && row.blockedUntil > now ? row.blockedUntil - now : 0;
  }

  function recordFailure(key: string): void {
    const now = clock.now();
    database.immediate(() => {
      const row = repos.auth.getFailure(key);
      const fresh = !row || row.firstAt < now - THROTTLE.window;
      const failures = fresh ? 1 : row.failures + 1;
      const over = failures - (key.startsWith('ip:') ? THROTTLE.freePerAddress : THROTTLE.freePerEmail);
      const blockedUntil = over >= 0 ? now + Math.min(THROTTLE.baseBlock * 2 ** over, THROTTLE.maxBlock) : 0;
      repos.auth.putFailure({ key, failures, firstAt: fresh ? now : row.firstAt, blockedUntil });
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
      oidcSubject: null,
      createdAt: clock.now(),
      lastLoginAt: null,
    };
    repos.auth.insertAdmin(row);
    return row;
  }

  function createSession(kind: SessionRow['kind'], owner: { adminId?: string; clientId?: string; inviteId?: string }): { cookie: string; session: SessionRow } {
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
      expiresAt: now + policy.idleMs,
    };
    repos.auth.insertSession(session);
    return { cookie, session };
  }

  return {
    createAdmin,
    createSession,

    hasAdmin(): boolean {
      return repos.auth.countAdmins() > 0;
    },

    /** ADMIN_EMAIL/ADMIN_PASSWORD create the first admin at start-up, only while there is none. */
    async ensureConfiguredAdmin(): Promise<AdminRow | null> {
      if (!config.admin || repos.auth.countAdmins() > 0) return null;
      const admin = await createAdmin({ email: config.admin.email, password: config.admin.password, name: '' });
      log.info({ module: 'auth', email: admin.email }, 'created the first admin from ADMIN_EMAIL');
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
      if (!expected || !safeEqual(input.code.trim().toUpperCase(), expected)) throw ValidationError.field('code', 'is not the code printed in the server log');
      const admin = await createAdmin(input);
      repos.system.deleteSetting(SETUP_CODE_KEY);
      return admin;
    },

    /**
     * Checks a sign-in. Unknown e-mail and wrong password get the same answer in the same time;
     * repeated failures per e-mail and per address slow further attempts down.
     */
    async login(emailInput: string, password: string, ip: string): Promise<{ admin: AdminRow; cookie: string; session: SessionRow }> {
      const email = emailInput.trim().toLowerCase();
      const keys = [`email:${email}`, `ip:${ip}`];
      const wait = Math.max(...keys.map(blockedFor));
      if (wait > 0) throw new LoginRefused(`Too many failed sign-ins. Try again in ${Math.ceil(wait / 60_000)} minute(s).`, wait);
      const admin = email ? repos.auth.adminByEmail(email) : undefined;
      const ok = admin?.passwordHash ? await verifyPassword(admin.passwordHash, password) : await burnVerification(password).then(() => false);
      if (!ok || !admin) {
        keys.forEach(recordFailure);
        log.warn({ module: 'auth', ip }, 'failed sign-in');
        throw new LoginRefused('Invalid email or password.');
      }
      repos.auth.clearFailure(keys[0]!);
      repos.auth.updateAdmin(admin.id, { lastLoginAt: clock.now() });
      return { admin, ...createSession('admin', { adminId: admin.id }) };
    },

    /** The session behind a cookie, sliding its idle expiry (written at most once a minute). */
    resolveSession(cookie: string | undefined): ResolvedSession | null {
      if (!cookie) return null;
      const idHash = sha256(cookie);
      const session = repos.auth.getSession(idHash);
      const now = clock.now();
      if (!session) return null;
      const policy = SESSION_POLICY[session.kind];
      if (session.expiresAt <= now || session.createdAt + policy.absoluteMs <= now) {
        repos.auth.deleteSession(idHash);
        return null;
      }
      if (now - session.lastSeenAt > MINUTE) {
        const expiresAt = Math.min(now + policy.idleMs, session.createdAt + policy.absoluteMs);
        repos.auth.touchSession(idHash, now, expiresAt);
      }
      const admin = session.adminId ? (repos.auth.getAdmin(session.adminId) ?? null) : null;
      const client = session.clientId ? (repos.clients.get(session.clientId) ?? null) : null;
      if (session.kind === 'admin' && !admin) return null;
      if (session.kind === 'portal' && (!client || client.status === 'archived')) return null;
      return { session, admin, client };
    },

    destroySession(cookie: string | undefined): void {
      if (cookie) repos.auth.deleteSession(sha256(cookie));
    },

    /** Opens a client portal session from an invite link's secret. */
    openInvite(secret: string): { client: ClientRow; invite: InviteRow; cookie: string; session: SessionRow } {
      const invite = repos.clients.inviteByHash(sha256(secret));
      const now = clock.now();
      if (!invite || invite.revokedAt !== null || invite.expiresAt <= now) throw new NotFoundError('Invite');
      const client = repos.clients.get(invite.clientId);
      if (!client || client.status === 'archived') throw new NotFoundError('Invite');
      repos.clients.updateInvite(invite.id, { lastUsedAt: now });
      return { client, invite, ...createSession('portal', { clientId: client.id, inviteId: invite.id }) };
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
