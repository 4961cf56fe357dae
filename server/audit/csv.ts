/**
 * One CSV line (RFC 4180: every field quoted, quotes doubled, CRLF). A field that a spreadsheet
 * would run as a formula (starting with = + - @, tab or carriage return) gets a leading apostrophe,
 * so an email or user agent an attacker chose cannot execute in whoever opens the export (OWASP
 * "CSV injection").
 */
export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

/** Excel opens a CSV as UTF-8 only when the file starts with a byte order mark. */
export const UTF8_BOM = '\uFEFF';

/**
 * A typed data cell (widget exports): numbers and booleans bare — a negative number is a number, not
 * a formula — SQL NULL empty and unquoted (so it reads back apart from an empty string, `""`), text
 * through `csvField` (quoted, formula-defused).
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return csvField(value);
}

/** One line of typed data cells (RFC 4180, CRLF). */
export function csvDataLine(values: readonly (string | number | boolean | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i ? ',' : '') + csvCell(values[i]);
  return `${line}\r\n`;
}
