import { getTableColumns, type Table } from 'drizzle-orm';

/**
 * `"table"."snake_col" AS "camelKey", …` for a drizzle table, so hand-written SQL on the hot
 * paths returns rows shaped exactly like drizzle's (only plain text/integer columns: JSON and
 * boolean columns would need decoding).
 */
export function selectList(table: Table, alias: string): string {
  return Object.entries(getTableColumns(table))
    .map(([key, column]) => `${alias}."${column.name}" AS "${key}"`)
    .join(', ');
}
