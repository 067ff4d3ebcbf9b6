import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * The clients a list is held to (an editor's or viewer's assigned clients); undefined means every client. The ids
 * go in as one JSON array so a statement's text does not depend on how many there are, and SQLite reads them as the
 * `IN` list of an indexed client_id column.
 */
export type ClientIds = readonly string[] | undefined;

/** `<expr> IN (…)` for hand-written SQL: push the returned parameter with it. */
export function inClientsSql(expr: string, ids: readonly string[]): { where: string; param: string } {
  return { where: `${expr} IN (SELECT value FROM json_each(?))`, param: JSON.stringify(ids) };
}

/** The same condition for drizzle's query builder (none when the list is not held). */
export function inClients(column: SQLiteColumn, ids: ClientIds): SQL | undefined {
  return ids ? sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))` : undefined;
}
