import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
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
    /** The name the library shows and searches (the uploaded file's name; `ai-<date>.jpg` for generated images). */
    name: text('name').notNull().default(''),
    /** A small WebP for the library grid and previews (made with sharp at upload). */
    thumbKey: text('thumb_key'),
    /** A video's first frame as JPEG (made with ffmpeg when it is installed). */
    posterKey: text('poster_key'),
    /** none (not a video) · made · no_ffmpeg (ffmpeg is not installed) · failed. */
    posterStatus: text('poster_status', { enum: ['none', 'made', 'no_ffmpeg', 'failed'] })
      .notNull()
      .default('none'),
    /** A video's frames per second, read from the file (Reels and Stories check it). */
    frameRate: real('frame_rate'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull().default(0),
  },
  (t) => [index('media_client_idx').on(t.clientId, t.createdAt), index('media_client_name_idx').on(t.clientId, t.name)],
);
