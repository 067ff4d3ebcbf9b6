import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
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
});

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
  },
  (t) => [index('sessions_expires_idx').on(t.expiresAt)],
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
});
