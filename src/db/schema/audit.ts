import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The audit trail: who did what and when, one row per change a person or a token made (and every sign-in, good or
 * bad). Written in the same transaction as the change it records. No foreign keys on purpose: an entry outlives the
 * member, client or post it names, so `actor_label` keeps the name as it was.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    /** 'admin' (a team member), 'api' (a token), 'client' (the portal), 'system', or 'anonymous' (a failed sign-in). */
    actorKind: text('actor_kind').notNull(),
    /** The member's or token's id; null for the portal, the system or an unknown person. */
    actorId: text('actor_id'),
    /** The e-mail or token name at the time, so the entry still reads after they are gone. */
    actorLabel: text('actor_label').notNull(),
    /** The client the change belongs to, when it belongs to one (the filter editors are held to). */
    clientId: text('client_id'),
    /** What happened, `<thing>.<verb>`: post.update, post.approve, member.role, signin.fail, … (domain/audit.ts). */
    kind: text('kind').notNull(),
    /** The id of what was changed (a post, rule, member, token, …). */
    targetId: text('target_id'),
    /** A short human line ("Approved the post for Acme · Facebook"). */
    summary: text('summary').notNull().default(''),
    /** The fields that changed, before and after (edits only). */
    before: text('before', { mode: 'json' }).$type<Record<string, unknown>>(),
    after: text('after', { mode: 'json' }).$type<Record<string, unknown>>(),
    ip: text('ip'),
  },
  (t) => [
    index('audit_at_idx').on(t.at),
    index('audit_client_idx').on(t.clientId, t.at),
    index('audit_actor_idx').on(t.actorId, t.at),
    index('audit_kind_idx').on(t.kind, t.at),
  ],
);
