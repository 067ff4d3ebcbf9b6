import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { EmailMode, EventData } from '../../domain/events.js';
import { admins } from './auth.js';
import { clients } from './clients.js';

/**
 * The outbox: one row per happening, written in the transaction of the change that caused it.
 * `seq` orders them (cursor paging, fan-out); `id` is what people and webhooks see and never
 * changes, so a redelivery carries the same id. `fannedOutAt` is set once the leader has turned
 * the event into its deliveries.
 */
export const events = sqliteTable(
  'events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    type: text('type').notNull(),
    clientId: text('client_id').references(() => clients.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull(),
    data: text('data', { mode: 'json' }).$type<EventData>().notNull(),
    fannedOutAt: integer('fanned_out_at'),
  },
  (t) => [
    index('events_unfanned_idx').on(t.seq).where(sql`${t.fannedOutAt} IS NULL`),
    index('events_type_idx').on(t.type, t.seq),
    index('events_client_idx').on(t.clientId, t.seq),
  ],
);

export const CHANNEL_KINDS = ['webhook', 'slack', 'discord', 'teams'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * A webhook endpoint or a chat channel, for the whole agency (clientId null) or one client.
 * The URL is sealed (a Slack or Discord webhook URL is itself the credential), as is a webhook's
 * signing secret. `events` empty means every type.
 */
export const notifyChannels = sqliteTable(
  'notify_channels',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: CHANNEL_KINDS }).notNull(),
    name: text('name').notNull(),
    clientId: text('client_id').references(() => clients.id, { onDelete: 'cascade' }),
    urlSealed: text('url_sealed').notNull(),
    /** Shown to people without the path's secrets: scheme, host and the start of the path. */
    urlHint: text('url_hint').notNull(),
    secretSealed: text('secret_sealed'),
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    status: text('status', { enum: ['active', 'paused'] })
      .notNull()
      .default('active'),
    pausedReason: text('paused_reason'),
    /** Failed attempts in a row (reset by any success); a long run of them pauses the channel. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    failingSince: integer('failing_since'),
    lastSuccessAt: integer('last_success_at'),
    lastFailureAt: integer('last_failure_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('notify_channels_client_idx').on(t.clientId)],
);

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event on its way to one target: a channel row (`channel` = its kind, `target` = its id) or
 * an email recipient (`channel` = 'email', `target` = 'admin:<id>' or 'contact:<clientId>:<email>').
 * Deliveries of one target that share a `bundle` (a digest, an approval batch) go out as one
 * message. At least once: a delivery stays pending until an answer says it arrived.
 */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    eventId: text('event_id')
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull(),
    target: text('target').notNull(),
    bundle: text('bundle'),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    dueAt: integer('due_at').notNull(),
    /** After this moment a delivery still failing is given up (24 h after it was created). */
    expiresAt: integer('expires_at').notNull(),
    lastAttemptAt: integer('last_attempt_at'),
    responseStatus: integer('response_status'),
    /** The first bytes of the receiver's answer, for the delivery log. */
    responseBody: text('response_body'),
    lastError: text('last_error'),
    deliveredAt: integer('delivered_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('deliveries_event_target_idx').on(t.eventId, t.channel, t.target),
    index('deliveries_due_idx').on(t.dueAt).where(sql`${t.status} = 'pending'`),
    index('deliveries_target_idx').on(t.target, t.createdAt),
    index('deliveries_created_idx').on(t.createdAt),
  ],
);

/** An admin's choice for one event type (no row: the type's default from domain/events.ts). */
export const notifyPrefs = sqliteTable(
  'notify_prefs',
  {
    adminId: text('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    mode: text('mode').$type<EmailMode>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.adminId, t.eventType] })],
);

/**
 * Addresses that asked not to be mailed (List-Unsubscribe, RFC 8058): `scope` names what they left,
 * e.g. one client's approval mails or one admin's event type.
 */
export const emailSuppressions = sqliteTable(
  'email_suppressions',
  {
    email: text('email').notNull(),
    scope: text('scope').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.email, t.scope] })],
);
