import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { accounts } from './accounts.js';
import { clients } from './clients.js';

/** A content rule: when (cron in a time zone) and what (topics, tone) the autopilot writes. */
export const rules = sqliteTable(
  'rules',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    cron: text('cron').notNull(),
    /** null: the client's time zone. */
    timezone: text('timezone'),
    topics: text('topics', { mode: 'json' }).$type<string[]>().notNull(),
    tone: text('tone').notNull().default(''),
    instructions: text('instructions').notNull().default(''),
    media: text('media', { enum: ['none', 'image'] })
      .notNull()
      .default('none'),
    horizonDays: integer('horizon_days').notNull().default(7),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    lastGeneratedAt: integer('last_generated_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('rules_client_idx').on(t.clientId)],
);

export const ruleAccounts = sqliteTable(
  'rule_accounts',
  {
    ruleId: text('rule_id')
      .notNull()
      .references(() => rules.id, { onDelete: 'cascade' }),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.accountId] }), index('rule_accounts_account_idx').on(t.accountId)],
);
