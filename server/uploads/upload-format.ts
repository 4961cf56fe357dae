import type { UploadFormat } from '../config/project/upload.schema.js';

/**
 * Which format a file claims by its name, and whether its first bytes agree. The name decides the
 * reader; the content check stops a binary behind `.csv`, a renamed file behind `.xlsx`, before any
 * reader sees it (readers give worse errors, and some would happily read garbage).
 */

const BY_EXTENSION: Readonly<Record<string, UploadFormat>> = {
  csv: 'csv',
  txt: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  xlsx: 'xlsx',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  parquet: 'parquet',
};

export function formatFromName(fileName: string): UploadFormat | null {
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(fileName);
  return m ? (BY_EXTENSION[(m[1] ?? '').toLowerCase()] ?? null) : null;
}

/** How many leading bytes the content check needs. */
export const SNIFF_BYTES = 4096;

const UTF16_BOM = (b: Buffer) =>
  b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff));
const UTF8_BOM = (b: Buffer) => b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;

/**
 * Why the head of a file does not fit its format, or null. Text formats may be UTF-16 (with its
 * BOM); otherwise a NUL byte or a run of control characters means binary content.
 */
export function contentProblem(format: UploadFormat, head: Buffer, encoding = 'auto'): string | null {
  switch (format) {
    case 'xlsx':
      return head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])) ? null : 'not a zip container';
    case 'parquet':
      return head.subarray(0, 4).toString('latin1') === 'PAR1' ? null : 'no Parquet magic bytes';
    default: {
      // UTF-16 text is full of NUL bytes: with its BOM, or when the user says so, it is text.
      if (UTF16_BOM(head) || encoding.startsWith('utf-16')) return null;
      const body = UTF8_BOM(head) ? head.subarray(3) : head;
      let control = 0;
      for (const byte of body) {
        if (byte === 0) return 'NUL bytes in a text file';
        if (byte < 0x09 || (byte > 0x0d && byte < 0x20)) control++;
      }
      if (control > Math.max(8, body.length / 100)) return 'binary content in a text file';
      if (format === 'json' || format === 'ndjson') {
        const first = body.toString('latin1').trimStart()[0];
        if (first !== undefined && first !== (format === 'json' ? '[' : '{'))
          return format === 'json' ? 'a JSON upload is an array of objects' : 'NDJSON lines are objects';
      }
      return null;
    }
  }
}
