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
