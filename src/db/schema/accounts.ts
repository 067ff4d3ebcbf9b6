import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { clients } from './clients.js';

/** A connected social account (Facebook Page, Instagram business account, TikTok user). */
export const accounts = sqliteTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    platform: text('platform').notNull(),
    externalId: text('external_id').notNull(),
    name: text('name').notNull(),
    username: text('username'),
    status: text('status', { enum: ['connected', 'needs_reauth', 'disabled'] })
      .notNull()
      .default('connected'),
    /** AES-GCM sealed (lib/crypto SecretBox); associated data = `accounts:<id>:access`. */
    accessTokenEnc: text('access_token_enc'),
    /** Sealed refresh token, or for Meta the long-lived user token used to re-derive page tokens. */
    refreshTokenEnc: text('refresh_token_enc'),
    tokenExpiresAt: integer('token_expires_at'),
    refreshExpiresAt: integer('refresh_expires_at'),
    scopes: text('scopes').notNull().default(''),
    /** The Facebook Page account an Instagram account is reached through. */
    parentAccountId: text('parent_account_id'),
    /** Vendor facts worth keeping (page id, creator info, publishing quota), as JSON. */
    platformData: text('platform_data').notNull().default('{}'),
    /**
     * The account's queue: weekly posting times in its client's zone, `[{weekday: 1-7 (Monday 1),
     * time: "HH:MM"}]` (domain/queue.ts). "Add to queue" puts a post in the next one that is free.
     */
    postingTimes: text('posting_times', { mode: 'json' })
      .$type<Array<{ weekday: number; time: string }>>()
      .notNull()
      .default(sql`'[]'`),
    /** Set by rate-limit signals: no publish for this account before this instant. */
    pausedUntil: integer('paused_until'),
    pauseReason: text('pause_reason'),
    lastRefreshedAt: integer('last_refreshed_at'),
    lastError: text('last_error'),
    /**
     * Why results cannot be read for this account (missing insight permissions: connected before
     * they were asked for, or refused), shown as "reconnect to see results"; null when they can.
     */
    insightsBlocked: text('insights_blocked'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('accounts_client_platform_external_uq').on(t.clientId, t.platform, t.externalId),
    index('accounts_status_idx').on(t.status),
    index('accounts_token_expiry_idx').on(t.tokenExpiresAt),
  ],
);

/** One pending OAuth authorization: bound to a browser session and a client, single use, short-lived. */
export const oauthStates = sqliteTable('oauth_states', {
  stateHash: text('state_hash').primaryKey(),
  sessionId: text('session_id').notNull(),
  clientId: text('client_id')
    .notNull()
    .references(() => clients.id, { onDelete: 'cascade' }),
  platform: text('platform').notNull(),
  codeVerifier: text('code_verifier'),
  returnTo: text('return_to').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
});
