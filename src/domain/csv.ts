// CSV as spreadsheets read it (RFC 4180), safe to open: a text cell that a spreadsheet would run
// as a formula is prefixed with an apostrophe (https://owasp.org/www-community/attacks/CSV_Injection).

type Cell = string | number | null | undefined;

/** One cell: numbers as they are, text quoted when needed and never read as a formula. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value;
  // Text already starting with apostrophes before such a character gets one more, so that removing
  // one apostrophe (post-csv.ts unguardCell) always gives the original back.
  if (/^'*[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line, CRLF-terminated. */
export function csvRow(values: readonly Cell[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
