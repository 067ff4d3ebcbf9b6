import { getTableColumns, type Table } from 'drizzle-orm';

/**
 * `"table"."snake_col" AS "camelKey", …` for a drizzle table, so hand-written SQL on the hot
 * paths returns rows shaped exactly like drizzle's (only plain text/integer columns: JSON and
 * boolean columns need decoding: `postRow`).
 */
export function selectList(table: Table, alias: string): string {
  return Object.entries(getTableColumns(table))
    .map(([key, column]) => `${alias}."${column.name}" AS "${key}"`)
    .join(', ');
}

/**
 * A posts row read by hand-written SQL: its JSON columns (`options`, `aiExamples`, `groupOverrides`,
 * `evergreen`) and its boolean `queued` decoded as drizzle would.
 */
export function postRow<R extends { options: unknown; aiExamples?: unknown; groupOverrides?: unknown }>(raw: R): R {
  // Decoded in place: the row is fresh from the driver, and copying its 45 fields again for every row of a
  // list showed in the pages' profile.
  const row = raw as Record<string, unknown>;
  for (const key of ['options', 'aiExamples', 'groupOverrides', 'evergreen'] as const)
    if (typeof row[key] === 'string') row[key] = JSON.parse(row[key]) as unknown;
  if (typeof row.queued === 'number') row.queued = row.queued === 1;
  return row as R;
}
