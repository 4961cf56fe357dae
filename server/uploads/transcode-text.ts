import { isUtf8 } from 'node:buffer';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TrellisError } from '../errors.js';

/**
 * Text uploads (CSV, TSV, JSON, NDJSON) become UTF-8 without a BOM before any reader sees them, so
 * DuckDB's readers (UTF-8 only) read every encoding the same way. Streamed chunk by chunk from the
 * received file to a sibling file that replaces it; never whole in memory.
 *
 * `auto` detects: a BOM names UTF-8, UTF-16 LE or BE; without one the file is UTF-8 when every byte
 * sequence is valid UTF-8, and Windows-1252 when some are not and no line is UTF-8 text (valid
 * multi-byte sequences and no invalid byte). A file with both kinds of line (typically two files
 * pasted together) mixes encodings: UPLOAD_ENCODING, never a silent guess that would garble half the
 * values. Lines, not bytes, because a Windows-1252 pair like "Å€" (C5 80) is valid UTF-8 by chance; a
 * heuristic all the same — a user who knows the encoding chooses it.
 */
export const UPLOAD_ENCODINGS = ['auto', 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
export type UploadEncoding = (typeof UPLOAD_ENCODINGS)[number];
type Concrete = Exclude<UploadEncoding, 'auto'>;

/** The read-only UTF-8 check's read size. */
const CHECK_CHUNK_BYTES = 1024 * 1024;

export interface TranscodeLimits {
  /** The longest line (in UTF-8 bytes) accepted; a longer one is UPLOAD_LINE_TOO_LONG. */
  readonly maxLineBytes: number;
}

/** Transcodes `file` in place to UTF-8; returns the encoding it was read as. */
export async function transcodeToUtf8(
  file: string,
  encoding: UploadEncoding,
  limits: TranscodeLimits,
): Promise<Concrete> {
  // Most files are UTF-8 already: one read-only pass of native checks settles them, without the
  // byte-by-byte detection and the rewrite below (bench `uploads`: ~3 passes in JavaScript → 1).
  if ((encoding === 'auto' || encoding === 'utf-8') && (await alreadyUtf8(file, limits))) return 'utf-8';
  const chosen = encoding === 'auto' ? await detect(file) : encoding;
  const out = `${file}.utf8`;
  try {
    await pipeline(createReadStream(file), decoder(chosen, limits), createWriteStream(out, { mode: 0o600 }));
    await rename(out, file);
  } catch (err) {
    await rm(out, { force: true });
    throw err;
  }
  return chosen;
}

/**
 * True when the file is valid UTF-8 without a BOM, NUL-free, with no line over the limit — the text
 * readers want as it is. Native checks only (`isUtf8`, `indexOf`), one read. Anything else (a BOM,
 * an invalid byte, a NUL, an over-long line) is false: the full path then reads it again and names
 * the problem exactly as before.
 */
async function alreadyUtf8(file: string, limits: TranscodeLimits): Promise<boolean> {
  // One buffer, read into again and again: a stream would allocate a new buffer per chunk, garbage
  // that stays in the server's RSS until a GC (tens of MB for a 40 MB file, bench `uploads`).
  const buffer = Buffer.allocUnsafe(CHECK_CHUNK_BYTES);
  const handle = await open(file, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let first = true;
    let line = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      if (first && (chunk[0] === 0xef || chunk[0] === 0xff || chunk[0] === 0xfe)) return false; // a BOM?
      first = false;
      if (chunk.indexOf(0) >= 0) return false;
      for (let from = 0; ;) {
        const nl = chunk.indexOf(0x0a, from);
        line += (nl < 0 ? chunk.length : nl) - from;
        if (line > limits.maxLineBytes) return false;
        if (nl < 0) break;
        line = 0;
        from = nl + 1;
      }
      // A multi-byte character may straddle chunks: its start waits for the next chunk (copied out,
      // as the buffer is read into again).
      const whole = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const cut = incompleteTail(whole);
      if (!isUtf8(whole.subarray(0, cut))) return false;
      carry = Buffer.from(whole.subarray(cut));
    }
    return carry.length === 0;
  } finally {
    await handle.close();
  }
}

/** Where a trailing, not yet complete UTF-8 sequence starts (the length when there is none). */
function incompleteTail(buf: Buffer): number {
  for (let i = buf.length - 1; i >= Math.max(0, buf.length - 3); i--) {
    const b = buf[i] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    if (b < 0xc0) return buf.length; // ASCII ends the buffer
    const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return buf.length - i < needed ? i : buf.length;
  }
  return buf.length;
}

/** The encoding of a file without a choice from the user (see the module comment). */
async function detect(file: string): Promise<Concrete> {
  const head = await firstBytes(file, 3);
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const scan = new Utf8Scan();
  for await (const chunk of createReadStream(file)) scan.push(chunk as Buffer);
  scan.end();
  if (scan.invalid === 0) return 'utf-8';
  if (scan.utf8Lines === 0) return 'windows-1252';
  throw new TrellisError('UPLOAD_ENCODING', {
    message:
      'The file mixes text encodings (some lines are UTF-8, some are not). Save it as UTF-8, or choose its encoding, and upload it again.',
    detail: { utf8Lines: scan.utf8Lines, invalid: scan.invalid },
  });
}

async function firstBytes(file: string, n: number): Promise<Buffer> {
  for await (const chunk of createReadStream(file, { start: 0, end: n - 1 })) return chunk as Buffer;
  return Buffer.alloc(0);
}

/**
 * Counts valid multi-byte UTF-8 sequences and invalid bytes, across chunk boundaries. A byte
 * state machine (not TextDecoder) because both counts are needed, not the first error.
 */
class Utf8Scan {
  multiByte = 0;
  invalid = 0;
  /** Lines with a valid multi-byte sequence and no invalid byte. */
  utf8Lines = 0;
  private lineMulti = false;
  private lineInvalid = false;
  private need = 0;
  private lower = 0x80;
  private upper = 0xbf;

  push(chunk: Buffer): void {
    for (const b of chunk) {
      if (this.need === 0) {
        if (b === 0x0a) this.endLine();
        if (b < 0x80) continue;
        if (b >= 0xc2 && b <= 0xdf) this.need = 1;
        else if (b >= 0xe0 && b <= 0xef) {
          this.need = 2;
          if (b === 0xe0) this.lower = 0xa0;
          if (b === 0xed) this.upper = 0x9f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          this.need = 3;
          if (b === 0xf0) this.lower = 0x90;
          if (b === 0xf4) this.upper = 0x8f;
        } else this.bad();
        continue;
      }
      if (b < this.lower || b > this.upper) {
        // The sequence broke off: the lead byte was invalid; this byte starts afresh.
        this.bad();
        this.reset();
        this.push(Buffer.from([b]));
        continue;
      }
      this.lower = 0x80;
      this.upper = 0xbf;
      if (--this.need === 0) {
        this.multiByte++;
        this.lineMulti = true;
      }
    }
  }

  end(): void {
    if (this.need > 0) this.bad();
    this.reset();
    this.endLine();
  }

  private bad(): void {
    this.invalid++;
    this.lineInvalid = true;
  }

  private endLine(): void {
    if (this.lineMulti && !this.lineInvalid) this.utf8Lines++;
    this.lineMulti = false;
    this.lineInvalid = false;
  }

  private reset(): void {
    this.need = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }
}

/**
 * Decodes strictly (invalid bytes are UPLOAD_ENCODING, never U+FFFD) and re-encodes as UTF-8,
 * dropping a leading BOM. Refuses NUL characters anywhere in the text (the content check saw only
 * the head) and lines longer than the limit (a "1 GB single line" stops at the limit, not at EOF).
 */
function decoder(encoding: Concrete, limits: TranscodeLimits): Transform {
  const text = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
  let line = 0;
  let lineNumber = 1;
  const check = (s: string): string | null => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0) return `NUL character on line ${lineNumber}`;
      if (c === 0x0a) {
        line = 0;
        lineNumber++;
      } else {
        line += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        if (line > limits.maxLineBytes) return 'long';
      }
    }
    return null;
  };
  const emit = (s: string, done: (err?: Error | null, data?: Buffer) => void) => {
    const problem = check(s);
    if (problem === 'long')
      done(
        new TrellisError('UPLOAD_LINE_TOO_LONG', {
          message: `Line ${lineNumber} is longer than ${limits.maxLineBytes} bytes.`,
          detail: { line: lineNumber, maxLineBytes: limits.maxLineBytes },
        }),
      );
    else if (problem)
      done(
        new TrellisError('UPLOAD_FORMAT_MISMATCH', {
          message: `The file holds a ${problem}.`,
          detail: { problem },
        }),
      );
    else done(null, Buffer.from(s, 'utf8'));
  };
  const invalid = (err: unknown, chunk: Buffer | null) => {
    // The line of the first bad byte: the chunk decoded leniently, newlines before the first U+FFFD.
    let line = lineNumber;
    if (chunk) {
      const lenient = new TextDecoder(encoding).decode(chunk);
      const bad = lenient.indexOf('\uFFFD');
      for (let i = 0; i < bad; i++) if (lenient.charCodeAt(i) === 0x0a) line++;
    }
    return new TrellisError('UPLOAD_ENCODING', {
      message: `The file is not valid ${encoding.toUpperCase()} text (near line ${line}). Save it as UTF-8 or choose its encoding.`,
      detail: { encoding, line, cause: (err as Error).message },
    });
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let s: string;
      try {
        s = text.decode(chunk, { stream: true });
      } catch (err) {
        done(invalid(err, chunk));
        return;
      }
      emit(s, done);
    },
    flush(done) {
      let s: string;
      try {
        s = text.decode();
      } catch (err) {
        done(invalid(err, null));
        return;
      }
      emit(s, done);
    },
  });
}
