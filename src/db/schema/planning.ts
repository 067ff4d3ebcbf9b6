import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { clients } from './clients.js';

/**
 * A CSV import: parsed and checked at upload (the dry run, nothing written), then committed in one
 * transaction. `rows` keeps what was parsed and each row's errors, so the commit writes exactly what
 * the dry run showed.
 */
export const postImports = sqliteTable(
  'post_imports',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    fileName: text('file_name').notNull().default(''),
    status: text('status', { enum: ['dry_run', 'committed'] })
      .notNull()
      .default('dry_run'),
    rows: text('rows', { mode: 'json' }).$type<unknown[]>().notNull(),
    /** Who uploaded it (the actor's label, for the history). */
    createdBy: text('created_by').notNull(),
    /** Not used since 0010: the lines a commit wrote are rows of post_import_rows. */
    report: text('report', { mode: 'json' }).$type<unknown>(),
    createdAt: integer('created_at').notNull(),
    committedAt: integer('committed_at'),
  },
  (t) => [index('post_imports_client_idx').on(t.clientId, t.createdAt)],
);

/** A client's RSS or Atom feed whose new items become drafts (the `check-feeds` job). */
export const feeds = sqliteTable(
  'feeds',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    /** The accounts each new item becomes a draft for. */
    accountIds: text('account_ids', { mode: 'json' }).$type<string[]>().notNull(),
    /** Let the AI rewrite each item in the client's voice for each network. */
    rewrite: integer('rewrite', { mode: 'boolean' }).notNull().default(false),
    /** Put each new draft straight into its account's queue. */
    queue: integer('queue', { mode: 'boolean' }).notNull().default(false),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    /** Conditional-request validators from the last answer (ETag, Last-Modified). */
    etag: text('etag'),
    lastModified: text('last_modified'),
    lastCheckedAt: integer('last_checked_at'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('feeds_client_url_idx').on(t.clientId, t.url)],
);

/**
 * Every feed item Herald has seen, per client, keyed by its guid (or link): an item becomes drafts
 * once, across restarts, feed edits and the same article in two of the client's feeds.
 */
export const feedItems = sqliteTable(
  'feed_items',
  {
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    itemKey: text('item_key').notNull(),
    feedId: text('feed_id').references(() => feeds.id, { onDelete: 'set null' }),
    title: text('title').notNull().default(''),
    link: text('link'),
    publishedAt: integer('published_at'),
    /** The drafts it became. */
    postIds: text('post_ids', { mode: 'json' }).$type<string[]>().notNull(),
    seenAt: integer('seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.itemKey] }), index('feed_items_feed_idx').on(t.feedId, t.seenAt)],
);

/**
 * The lines of an import that a commit has written, one row each, in the same transaction as the
 * posts: a commit cut off part-way resumes from here and never writes a line twice.
 */
export const postImportRows = sqliteTable(
  'post_import_rows',
  {
    importId: text('import_id')
      .notNull()
      .references(() => postImports.id, { onDelete: 'cascade' }),
    line: integer('line').notNull(),
    postId: text('post_id').notNull(),
    mediaIds: text('media_ids', { mode: 'json' }).$type<string[]>().notNull(),
    /** The post's time when it waits for approval (the one event at the end lists them); null otherwise. */
    waitingAt: integer('waiting_at'),
    waiting: integer('waiting', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.importId, t.line] })],
);
