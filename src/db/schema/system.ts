import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { clients } from './clients.js';

/** Leader lease: one row per lease name. `epoch` is the fencing token, +1 on every takeover. */
export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder'),
  epoch: integer('epoch').notNull().default(0),
  expiresAt: integer('expires_at').notNull().default(0),
  acquiredAt: integer('acquired_at'),
});

/** Every job run, scheduled or requested; `queued` rows are requests the leader picks up. */
export const jobRuns = sqliteTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    job: text('job').notNull(),
    trigger: text('trigger', { enum: ['schedule', 'manual', 'due'] }).notNull(),
    status: text('status', { enum: ['queued', 'running', 'ok', 'error'] }).notNull(),
    requestedAt: integer('requested_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    durationMs: integer('duration_ms'),
    counts: text('counts', { mode: 'json' }).$type<Record<string, number>>(),
    /** What a requested run should cover (e.g. one client's rules for "Generate now"). */
    params: text('params', { mode: 'json' }).$type<Record<string, string>>(),
    error: text('error'),
    holder: text('holder'),
  },
  (t) => [index('job_runs_job_idx').on(t.job, t.requestedAt), index('job_runs_status_idx').on(t.status)],
);

/** Small operator settings (agency name shown in the portal, the one-time setup code). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** A pause that covers more than one account: a whole platform app throttled by the vendor. */
export const rateLimits = sqliteTable('rate_limits', {
  scope: text('scope').primaryKey(),
  until: integer('until').notNull(),
  reason: text('reason').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** AI usage per client, for cost visibility. */
export const aiUsage = sqliteTable(
  'ai_usage',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    postId: text('post_id'),
    kind: text('kind', { enum: ['text', 'image'] }).notNull(),
    model: text('model').notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('ai_usage_client_idx').on(t.clientId, t.createdAt)],
);
