import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { SNIPPET_KINDS } from '../../domain/composer.js';
import { clients } from './clients.js';
import { media } from './media.js';
import { rules } from './rules.js';

/**
 * One idea composed for several of a client's accounts: the shared caption, media and first
 * comment. Each account gets its own post (posts.group_id), scheduled, approved, published and
 * logged on its own; a member keeps a field as its own when its posts.group_overrides says so.
 */
export const postGroups = sqliteTable(
  'post_groups',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    caption: text('caption').notNull().default(''),
    firstComment: text('first_comment').notNull().default(''),
    scheduledAt: integer('scheduled_at'),
    source: text('source', { enum: ['ai', 'manual'] })
      .notNull()
      .default('manual'),
    ruleId: text('rule_id').references(() => rules.id, { onDelete: 'set null' }),
    /** `<ruleId>|<slot ms>` for the AI's groups: one group per rule slot, however often generation runs. */
    slotKey: text('slot_key').unique(),
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('post_groups_client_scheduled_idx').on(t.clientId, t.scheduledAt)],
);

/** The group's shared media, in order (each member's own media stay in post_media). */
export const postGroupMedia = sqliteTable(
  'post_group_media',
  {
    groupId: text('group_id')
      .notNull()
      .references(() => postGroups.id, { onDelete: 'cascade' }),
    mediaId: text('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.position] }), index('post_group_media_media_idx').on(t.mediaId)],
);

/** A coloured label of the agency (a campaign, a content pillar), put on posts and rules. */
export const labels = sqliteTable(
  'labels',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    color: text('color').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('labels_name_idx').on(sql`lower(${t.name})`),
    check('labels_color', sql`${t.color} GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'`),
  ],
);

/** The labels a rule puts on every post it writes. */
export const ruleLabels = sqliteTable(
  'rule_labels',
  {
    ruleId: text('rule_id')
      .notNull()
      .references(() => rules.id, { onDelete: 'cascade' }),
    labelId: text('label_id')
      .notNull()
      .references(() => labels.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.labelId] })],
);

/** A client's named piece of text (a hashtag set, a signature, a call to action), inserted from the editor. */
export const snippets = sqliteTable(
  'snippets',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    text: text('text').notNull(),
    kind: text('kind', { enum: SNIPPET_KINDS }).notNull().default('other'),
    /** Given to the AI as the client's standard hashtags or sign-offs. */
    forAi: integer('for_ai', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('snippets_client_name_idx').on(t.clientId, sql`lower(${t.name})`)],
);

/**
 * A page's OpenGraph tags, read through the outbound safety rules for the Facebook preview's link
 * card and kept a day; `error` says why a page gave none.
 */
export const linkPreviews = sqliteTable('link_previews', {
  urlHash: text('url_hash').primaryKey(),
  url: text('url').notNull(),
  title: text('title'),
  description: text('description'),
  imageUrl: text('image_url'),
  siteName: text('site_name'),
  error: text('error'),
  fetchedAt: integer('fetched_at').notNull(),
});
