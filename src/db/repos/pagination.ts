import { ValidationError } from '../../domain/errors.js';

export interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

export const MAX_PAGE_SIZE = 200;

/** An opaque cursor: the sort key and id of the last row of the previous page. */
export function encodeCursor(key: string | number | null, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined | null): { key: string | number | null; id: string } | null {
  if (!cursor) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[1] === 'string' &&
      (value[0] === null || ['string', 'number'].includes(typeof value[0]))
    ) {
      return { key: value[0] as string | number | null, id: value[1] };
    }
  } catch {
    // fall through to the validation error
  }
  throw ValidationError.field('cursor', 'is not a cursor this server gave out');
}

/** Cuts a `limit + 1` result into a page and the cursor of the next one. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => [string | number | null, string]): Page<T> {
  if (rows.length <= limit) return { data: rows, nextCursor: null };
  const data = rows.slice(0, limit);
  const [key, id] = keyOf(data[data.length - 1] as T);
  return { data, nextCursor: encodeCursor(key, id) };
}
