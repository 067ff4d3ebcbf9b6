import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { clients } from './clients.js';

/** An uploaded or generated file, served publicly at /media/<key> for the platforms to fetch. */
export const media = sqliteTable(
  'media',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** Unguessable file name under DATA_DIR/media, extension included. */
    key: text('key').notNull().unique(),
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    width: integer('width'),
    height: integer('height'),
    durationMs: integer('duration_ms'),
    sha256: text('sha256').notNull(),
    originalName: text('original_name'),
    source: text('source', { enum: ['upload', 'ai'] })
      .notNull()
      .default('upload'),
    altText: text('alt_text').notNull().default(''),
    /** A JPEG copy made for Instagram when the original is PNG or WebP. */
    jpegKey: text('jpeg_key'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('media_client_idx').on(t.clientId, t.createdAt)],
);
