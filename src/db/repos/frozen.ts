/**
 * Rows frozen (the list and each row) before they are kept in the database memo and handed to every
 * caller: a caller that changed one would change it for all the others, so the change throws instead.
 */
export function frozen<T extends object>(rows: T[]): ReadonlyArray<Readonly<T>> {
  for (const row of rows) Object.freeze(row);
  return Object.freeze(rows);
}
