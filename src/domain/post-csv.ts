// The one CSV shape of posts: what the export writes and the import reads back
// (docs/planning.md#csv). Export-only columns are ignored by the import, so an export can be
// edited and imported again.

/**
 * The columns, in order.
 * - account_id, or network + account_name: the account (the import takes either).
 * - time: `YYYY-MM-DD HH:mm` in the client's zone, or ISO 8601 with an offset (the export writes
 *   the client's offset, e.g. `2026-12-01T09:00:00+01:00`); empty for none.
 * - caption, first_comment: text. media_urls: URLs separated by whitespace.
 * - labels: label names separated by `|`. surface: feed, story or reel (empty: feed).
 * - status: what the import makes of the row: draft, scheduled or queue (the account's next free
 *   posting time). The export writes scheduled for posts that are scheduled or awaiting approval,
 *   draft for every other post, so re-importing never publishes something again by surprise.
 * - post_id, state (the post's status), published_at, permalink, last_error: export only.
 */
export const POST_CSV_COLUMNS = [
  'account_id',
  'network',
  'account_name',
  'time',
  'caption',
  'media_urls',
  'first_comment',
  'labels',
  'surface',
  'status',
  'post_id',
  'state',
  'published_at',
  'permalink',
  'last_error',
] as const;

/** The columns the import reads; the others are the export's and ignored. */
export const POST_CSV_IMPORT_COLUMNS = POST_CSV_COLUMNS.slice(0, 10);

/**
 * A cell as it was before the export guarded it against spreadsheet formulas (domain/csv.ts puts an
 * apostrophe before text starting with = + - @, tab or CR, or with apostrophes and then one of
 * those); anything else unchanged.
 */
export function unguardCell(value: string): string {
  return /^'+[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}
