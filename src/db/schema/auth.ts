import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { ROLES } from '../../domain/roles.js';
import { clients, invites } from './clients.js';

export const admins = sqliteTable('admins', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  /** argon2id; null for an admin who only signs in through OIDC. */
  passwordHash: text('password_hash'),
  oidcSubject: text('oidc_subject').unique(),
  createdAt: integer('created_at').notNull(),
  lastLoginAt: integer('last_login_at'),
  /** The admin's own time zone: their daily digest goes out at `digestHour` there. */
  timezone: text('timezone').notNull().default('UTC'),
  digestHour: integer('digest_hour').notNull().default(8),
  /** What this team member may do (src/domain/roles.ts). Admins from before teams became owners. */
  role: text('role', { enum: ROLES }).notNull().default('owner'),
  /** The TOTP secret, sealed with SECRET_KEY; set while enrolling, in force once `totp_enabled_at` is set. */
  totpSecret: text('totp_secret'),
  totpEnabledAt: integer('totp_enabled_at'),
  /** SHA-256 hashes of the unused recovery codes (random, high-entropy; each works once instead of a second factor). */
  recoveryCodes: text('recovery_codes', { mode: 'json' }).$type<string[]>(),
  /** WebAuthn's user handle for this member (random, base64url): never the e-mail or the row id. */
  webauthnUserId: text('webauthn_user_id').unique(),
});

/** Which clients an editor or viewer works on; owners and admins see every client and have no rows here. */
export const memberClients = sqliteTable(
  'member_clients',
  {
    adminId: text('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.adminId, t.clientId] }), index('member_clients_client_idx').on(t.clientId)],
);

/** A team member's passkeys (WebAuthn credentials). */
export const passkeys = sqliteTable(
  'passkeys',
  {
    /** The credential id, base64url. */
    id: text('id').primaryKey(),
    adminId: text('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    /** The COSE public key, base64url. */
    publicKey: text('public_key').notNull(),
    counter: integer('counter').notNull().default(0),
    transports: text('transports', { mode: 'json' }).$type<string[]>(),
    deviceType: text('device_type', { enum: ['singleDevice', 'multiDevice'] }).notNull(),
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull().default(false),
    /** The member's own name for it ("Work laptop"). */
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [index('passkeys_admin_idx').on(t.adminId)],
);

/** An invitation to join the team: a single-use link (only its hash is kept) with the role and clients it grants. */
export const memberInvites = sqliteTable(
  'member_invites',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    clientIds: text('client_ids', { mode: 'json' }).$type<string[]>().notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    invitedBy: text('invited_by').references(() => admins.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    acceptedAt: integer('accepted_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('member_invites_email_idx').on(t.email)],
);

/** Browser sessions: an admin's, or a client portal's (opened from an invite). Keyed by the cookie's hash. */
export const sessions = sqliteTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    kind: text('kind', { enum: ['admin', 'portal'] }).notNull(),
    adminId: text('admin_id').references(() => admins.id, { onDelete: 'cascade' }),
    clientId: text('client_id').references(() => clients.id, { onDelete: 'cascade' }),
    inviteId: text('invite_id').references(() => invites.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** How the member signed in: 'password', 'passkey' or 'sso'; a second factor adds '+totp' or '+passkey'. */
    authMethod: text('auth_method'),
    /** The password was right but a second factor is still owed: the session opens nothing but that step. */
    mfaPending: integer('mfa_pending', { mode: 'boolean' }).notNull().default(false),
    /** Shown in the member's list of sessions. */
    userAgent: text('user_agent'),
    ip: text('ip'),
  },
  (t) => [index('sessions_expires_idx').on(t.expiresAt), index('sessions_admin_idx').on(t.adminId)],
);

/** Failed sign-ins per e-mail and per address, for throttling. */
export const loginFailures = sqliteTable('login_failures', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  firstAt: integer('first_at').notNull(),
  blockedUntil: integer('blocked_until').notNull().default(0),
});

/** JSON API bearer tokens; only the hash is stored, the prefix helps admins tell them apart. */
export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  prefix: text('prefix').notNull(),
  createdAt: integer('created_at').notNull(),
  /** What the token may do: read < write < admin (each includes the one before). */
  scope: text('scope', { enum: ['read', 'write', 'admin'] })
    .notNull()
    .default('write'),
  /** After this moment the token is refused like a revoked one; null: it does not expire. */
  expiresAt: integer('expires_at'),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
  /**
   * The team member who made it: the token never does more than their role allows, nor reaches other clients than
   * theirs; removing the member deletes their tokens. Null for tokens from before teams (made by an owner).
   */
  createdBy: text('created_by').references(() => admins.id, { onDelete: 'cascade' }),
});
