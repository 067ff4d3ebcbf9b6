import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** An agency's customer: its own time zone, voice, approval mode, accounts, rules and posts. */
export const clients = sqliteTable(
  'clients',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    status: text('status', { enum: ['invited', 'active', 'paused', 'archived'] })
      .notNull()
      .default('invited'),
    timezone: text('timezone').notNull(),
    brandVoice: text('brand_voice').notNull().default(''),
    audience: text('audience').notNull().default(''),
    language: text('language').notNull().default('en'),
    approvalMode: text('approval_mode', { enum: ['none', 'admin', 'client'] })
      .notNull()
      .default('admin'),
    /** TikTok privacy level chosen for this client's posts (forced to SELF_ONLY while the app is unaudited). */
    tiktokPrivacy: text('tiktok_privacy'),
    /** Who hears about approvals and reconnects by email (lower-cased, de-duplicated). */
    /**
     * Standing guidance for the AI, learned from rejections and reviewers' edits and kept short;
     * visible and editable on the client page, and part of every prompt.
     */
    guidance: text('guidance').notNull().default(''),
    guidanceUpdatedAt: integer('guidance_updated_at'),
    /** Day of the month (1–28) the monthly report is mailed to the contacts; null: no report. */
    reportDay: integer('report_day'),
    contactEmails: text('contact_emails', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('clients_status_name_idx').on(t.status, t.name)],
);

/** Single-client onboarding links; only the hash of the link's secret is stored. */
export const invites = sqliteTable(
  'invites',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    lastUsedAt: integer('last_used_at'),
    /**
     * A sign-in link mailed to a client contact: it works once (`usedAt`) and lands on `landing`
     * (the review list, the reconnect page) instead of the portal's front page.
     */
    singleUse: integer('single_use', { mode: 'boolean' }).notNull().default(false),
    landing: text('landing'),
    usedAt: integer('used_at'),
  },
  (t) => [index('invites_client_idx').on(t.clientId)],
);
