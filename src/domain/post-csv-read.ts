// Reading a posts CSV back (the import): the file's encoding, its header and each row's own
// fields, before anything is looked up. The shape is POST_CSV_COLUMNS (domain/post-csv.ts).
import { fromLocalInput } from '../lib/zoned-time.js';
import { SURFACES, type Surface } from './composer.js';
import { PayloadTooLargeError, ValidationError, type FieldErrors } from './errors.js';
import { POST_CSV_COLUMNS, POST_CSV_IMPORT_COLUMNS, unguardCell } from './post-csv.js';

/** The most a file may hold: what one person can check in a dry run, and what a commit writes at once. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 10_000;

export const IMPORT_STATUSES = ['draft', 'scheduled', 'queue'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export type ImportColumn = (typeof POST_CSV_IMPORT_COLUMNS)[number];

export function fileTooLarge(): PayloadTooLargeError {
  return new PayloadTooLargeError(`The file is larger than 5 MB; split it into smaller files (at most 5 MB each).`);
}

export function tooManyRows(): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `The file has more than ${MAX_IMPORT_ROWS.toLocaleString('en')} rows; split it into files of at most ` +
      `${MAX_IMPORT_ROWS.toLocaleString('en')} rows each.`,
  );
}

const refuse = (message: string) => new ValidationError({ file: [message] }, message);

/**
 * The file as text: UTF-8 (a byte order mark is dropped) or UTF-16 with its byte order mark, as
 * spreadsheets save "Unicode text". Anything else is refused in words rather than read as garbage.
 */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes.length > MAX_IMPORT_BYTES) throw fileTooLarge();
  if (bytes.length === 0) throw refuse('The file is empty.');
  const starts = (...marks: number[]) => marks.every((b, i) => bytes[i] === b);
  let encoding = 'utf-8';
  let skip = 0;
  if (starts(0xef, 0xbb, 0xbf)) skip = 3;
  else if (starts(0xff, 0xfe)) [encoding, skip] = ['utf-16le', 2];
  else if (starts(0xfe, 0xff)) [encoding, skip] = ['utf-16be', 2];
  try {
    const text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(skip));
    // UTF-16 without its mark decodes as "valid" UTF-8 full of NUL characters: no CSV holds those.
    if (text.includes('\0')) throw new Error('NUL');
    return text;
  } catch {
    throw refuse(
      'The file is not UTF-8 text (nor UTF-16 with a byte order mark). Save it as "CSV UTF-8" and upload it again.',
    );
  }
}

/**
 * The header row: each column's position by name. Unknown columns are an error (a typo would
 * silently drop a field); export-only columns are accepted and ignored.
 */
export function readHeader(cells: readonly string[]): Map<ImportColumn, number> {
  const known = new Set<string>(POST_CSV_COLUMNS);
  const names = cells.map((c) => c.trim().toLowerCase());
  // An empty header cell (a spreadsheet's trailing comma) names no column: its cells are ignored.
  const unknown = names.filter((n) => n && !known.has(n));
  if (unknown.length)
    throw refuse(
      `The header row has unknown columns: ${unknown.map((n) => `"${n}"`).join(', ')}. ` +
        `The columns are: ${POST_CSV_COLUMNS.join(', ')}.`,
    );
  const twice = names.filter((n, i) => n && names.indexOf(n) !== i);
  if (twice.length) throw refuse(`The header row names ${[...new Set(twice)].join(', ')} more than once.`);
  const at = new Map<ImportColumn, number>();
  for (const column of POST_CSV_IMPORT_COLUMNS) if (names.includes(column)) at.set(column, names.indexOf(column));
  if (!at.has('account_id') && !(at.has('network') && at.has('account_name')))
    throw refuse(
      'The first row must be the header, naming the account: account_id, or network and account_name. ' +
        'Download the template to start from.',
    );
  return at;
}

/** A row's own fields, before accounts, labels and media are looked up. */
export interface CsvRowFields {
  accountId: string;
  network: string;
  accountName: string;
  scheduledAt: number | null;
  caption: string;
  mediaUrls: string[];
  firstComment: string;
  labelNames: string[];
  surface: Surface;
  status: ImportStatus;
}

const OFFSET_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:00)?$/;

/** A time in the client's zone, or an instant when it carries an offset (`Z`, `+01:00`); null when empty. */
export function parseCsvTime(value: string, timeZone: string): number | null | 'invalid' {
  const text = value.trim();
  if (!text) return null;
  if (OFFSET_TIME.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    return Number.isNaN(ms) ? 'invalid' : ms;
  }
  const m = LOCAL_TIME.exec(text);
  return (m && fromLocalInput(`${m[1]}T${m[2]}`, timeZone)) ?? 'invalid';
}

/** Reads one row's cells (undoing the export's formula guard on each) and checks what needs no lookup. */
export function readRow(
  cells: readonly string[],
  header: Map<ImportColumn, number>,
  width: number,
  timeZone: string,
): { fields: CsvRowFields; errors: FieldErrors } {
  const cell = (column: ImportColumn) => {
    const i = header.get(column);
    return i === undefined ? '' : unguardCell(cells[i] ?? '');
  };
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  if (cells.length !== width) add('row', `has ${cells.length} cells; the header row has ${width}`);
  const time = parseCsvTime(cell('time'), timeZone);
  if (time === 'invalid')
    add(
      'time',
      "must be YYYY-MM-DD HH:mm in the client's zone, or ISO 8601 with an offset (2026-12-01T09:00:00+01:00)",
    );
  const surface = cell('surface').trim().toLowerCase() || 'feed';
  if (!(SURFACES as readonly string[]).includes(surface)) add('surface', `must be one of ${SURFACES.join(', ')}`);
  const status = cell('status').trim().toLowerCase() || 'draft';
  if (!(IMPORT_STATUSES as readonly string[]).includes(status))
    add('status', `must be one of ${IMPORT_STATUSES.join(', ')}`);
  const caption = cell('caption');
  if (caption.length > 70_000) add('caption', 'is too long');
  const firstComment = cell('first_comment');
  if (firstComment.length > 10_000) add('first_comment', 'is too long');
  const mediaUrls = [...new Set(cell('media_urls').split(/\s+/).filter(Boolean))];
  if (mediaUrls.length > 35) add('media_urls', 'at most 35 media');
  for (const url of mediaUrls)
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) add('media_urls', `"${url}" is not an http(s) URL`);
  const labelNames = [
    ...new Set(
      cell('labels')
        .split('|')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
  if (labelNames.length > 50) add('labels', 'at most 50 labels');
  const accountId = cell('account_id').trim();
  const network = cell('network').trim().toLowerCase();
  const accountName = cell('account_name').trim();
  if (!accountId && !(network && accountName)) add('account', 'give account_id, or network and account_name');
  return {
    fields: {
      accountId,
      network,
      accountName,
      scheduledAt: time === 'invalid' ? null : time,
      caption,
      mediaUrls,
      firstComment,
      labelNames,
      surface: surface as Surface,
      status: status as ImportStatus,
    },
    errors,
  };
}
