import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import { TrellisError } from '../../errors.js';

/**
 * Random access to the entries of a ZIP file already on disk (PKWARE APPNOTE 4.3): the end of
 * central directory is found at the file's end, the central directory read once, and an entry
 * inflated on demand straight from its offset. Only the parts an XLSX reader asks for are ever
 * inflated, in the order it asks (so a sheet stored before the shared strings costs nothing).
 *
 * Zip bombs: every byte that comes out of an entry is counted while it is read — against the
 * caller's budget for all entries read, against the entry's own cap, and against the size the
 * central directory declares (an entry that inflates past it is a lying archive: refused) — so no
 * separate inflate pass is needed and declared sizes are never trusted alone. Sizes that cannot be
 * true (compressed data past the directory, a stored entry whose sizes differ, a ratio deflate can
 * not reach) are refused before a byte is inflated. A broken or truncated file is refused at once.
 */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

/** Deflate's best ratio is ~1032:1; a declared size beyond this (plus slack) cannot be true. */
const MAX_DEFLATE_RATIO = 1032;
/** An XLSX has tens of entries; a directory this large is not a workbook. */
const MAX_ENTRIES = 65_535;
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;
/** The end record (22 bytes) plus its longest comment. */
const EOCD_SEARCH = 22 + 0xffff;
const READ_CHUNK = 64 * 1024;

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/** A structural fault: the caller's UPLOAD_UNREADABLE. */
export function unreadable(cause: string): TrellisError {
  return new TrellisError('UPLOAD_UNREADABLE', { detail: { cause } });
}

export function tooLarge(message: string, detail: Record<string, unknown>): TrellisError {
  return new TrellisError('UPLOAD_XLSX_TOO_LARGE', {
    message: `The workbook is too large to read. ${message}`,
    detail,
  });
}

/** Bytes inflated so far across every entry read from one archive, and the cap on them. */
export interface InflateBudget {
  used: number;
  readonly max: number;
}

export class ZipArchive {
  private readonly byName = new Map<string, ZipEntry>();

  private constructor(
    readonly file: string,
    readonly fileSize: number,
    readonly entries: readonly ZipEntry[],
    private readonly dataEnd: number,
  ) {
    // Part names are case-insensitive in OPC; the first of two spellings wins.
    for (const e of entries)
      if (!this.byName.has(e.name.toLowerCase())) this.byName.set(e.name.toLowerCase(), e);
  }

  /** Reads the central directory; a file without a sound one is UPLOAD_UNREADABLE at once. */
  static async open(file: string): Promise<ZipArchive> {
    let fh: FileHandle | null = null;
    try {
      fh = await open(file, 'r');
      const size = (await fh.stat()).size;
      const tailLength = Math.min(size, EOCD_SEARCH);
      const tail = await readAt(fh, size - tailLength, tailLength);
      let at = -1;
      for (let i = tail.length - 22; i >= 0; i--)
        if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
          at = i;
          break;
        }
      if (at < 0) throw unreadable('no end of central directory (not a zip, or truncated)');
      const eocdPos = size - tailLength + at;
      if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0)
        throw unreadable('multi-disk zip');
      let count = tail.readUInt16LE(at + 10);
      let dirSize = tail.readUInt32LE(at + 12);
      let dirOffset = tail.readUInt32LE(at + 16);
      let dataEnd = eocdPos;
      if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
        // ZIP64: the locator sits just before the classic end record.
        if (eocdPos < 20) throw unreadable('zip64 locator missing');
        const locator = await readAt(fh, eocdPos - 20, 20);
        if (locator.readUInt32LE(0) !== SIG_EOCD64_LOCATOR) throw unreadable('zip64 locator missing');
        const recordAt = safe(locator.readBigUInt64LE(8));
        if (recordAt + 56 > eocdPos - 20) throw unreadable('zip64 end record out of the file');
        const record = await readAt(fh, recordAt, 56);
        if (record.readUInt32LE(0) !== SIG_EOCD64) throw unreadable('zip64 end record missing');
        count = safe(record.readBigUInt64LE(32));
        dirSize = safe(record.readBigUInt64LE(40));
        dirOffset = safe(record.readBigUInt64LE(48));
        dataEnd = recordAt;
      }
      if (count > MAX_ENTRIES) throw unreadable(`${count} entries`);
      if (dirSize > MAX_DIRECTORY_BYTES) throw unreadable(`a central directory of ${dirSize} bytes`);
      if (dirOffset + dirSize > dataEnd) throw unreadable('central directory past its end record');
      const dir = await readAt(fh, dirOffset, dirSize);
      const entries = parseDirectory(dir, count, dirOffset);
      return new ZipArchive(file, size, entries, dirOffset);
    } catch (err) {
      if (err instanceof TrellisError) throw err;
      throw unreadable((err as Error).message);
    } finally {
      await fh?.close();
    }
  }

  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /**
   * The inflated chunks of `entry`, counted as they come: past `maxBytes` for this entry or past the
   * budget shared by every entry read, UPLOAD_XLSX_TOO_LARGE; past its declared size, a corrupt or
   * lying archive (UPLOAD_UNREADABLE). The CRC is checked when the entry is read to its end.
   * Breaking out of the loop closes the file and the inflater.
   */
  async *chunks(
    entry: ZipEntry,
    budget: InflateBudget,
    maxBytes: number,
    label: string,
  ): AsyncGenerator<Buffer> {
    if (entry.size > maxBytes)
      throw tooLarge(`${label} to more than ${maxBytes} bytes.`, { entry: entry.name });
    if (budget.used + entry.size > budget.max)
      throw tooLarge(`It unpacks to more than ${budget.max} bytes.`, { entry: entry.name });
    if (entry.method !== 0 && entry.method !== 8)
      throw unreadable(`${entry.name}: compression method ${entry.method}`);
    const start = await this.dataStart(entry);
    let source: Readable | null = null;
    let inflater: Readable | null = null;
    try {
      source =
        entry.compressedSize === 0
          ? null
          : createReadStream(this.file, {
              start,
              end: start + entry.compressedSize - 1,
              highWaterMark: READ_CHUNK,
            });
      if (entry.method === 8) {
        const inflate = createInflateRaw({ chunkSize: READ_CHUNK });
        if (source) source.pipe(inflate);
        else inflate.end();
        // A read error of the file surfaces through the inflater the loop reads.
        source?.on('error', (err) => inflate.destroy(err));
        inflater = inflate;
      } else inflater = source;
      let total = 0;
      let crc = 0;
      if (inflater)
        for await (const chunk of inflater as AsyncIterable<Buffer>) {
          total += chunk.length;
          budget.used += chunk.length;
          if (total > entry.size)
            throw unreadable(`${entry.name} inflates past its declared ${entry.size} bytes`);
          // Unreachable while declared sizes were checked above; kept so no lie about sizes can pass a cap.
          if (total > maxBytes)
            throw tooLarge(`${label} to more than ${maxBytes} bytes.`, { entry: entry.name });
          if (budget.used > budget.max)
            throw tooLarge(`It unpacks to more than ${budget.max} bytes.`, { entry: entry.name });
          crc = crc32(chunk, crc);
          yield chunk;
        }
      if (total !== entry.size)
        throw unreadable(`${entry.name} inflates to ${total} bytes, not ${entry.size}`);
      if (crc >>> 0 !== entry.crc >>> 0) throw unreadable(`${entry.name} fails its CRC`);
    } catch (err) {
      if (err instanceof TrellisError) throw err;
      throw unreadable(`${entry.name}: ${(err as Error).message}`);
    } finally {
      source?.destroy();
      inflater?.destroy();
    }
  }

  /** Where an entry's data starts: after its local header, whose name and extra lengths can differ from the directory's. */
  private async dataStart(entry: ZipEntry): Promise<number> {
    const fh = await open(this.file, 'r');
    try {
      const header = await readAt(fh, entry.localOffset, 30);
      if (header.readUInt32LE(0) !== SIG_LOCAL) throw unreadable(`no local header for ${entry.name}`);
      const start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      if (start + entry.compressedSize > this.dataEnd)
        throw unreadable(`${entry.name} runs past the directory`);
      return start;
    } finally {
      await fh.close();
    }
  }
}

function parseDirectory(dir: Buffer, count: number, dirOffset: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || dir.readUInt32LE(p) !== SIG_CENTRAL)
      throw unreadable('central directory cut short');
    const flags = dir.readUInt16LE(p + 8);
    const method = dir.readUInt16LE(p + 10);
    const nameLength = dir.readUInt16LE(p + 28);
    const extraLength = dir.readUInt16LE(p + 30);
    const commentLength = dir.readUInt16LE(p + 32);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > dir.length) throw unreadable('central directory cut short');
    let compressedSize = dir.readUInt32LE(p + 20);
    let size = dir.readUInt32LE(p + 24);
    let localOffset = dir.readUInt32LE(p + 42);
    const name = dir.toString('utf8', p + 46, p + 46 + nameLength);
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      // ZIP64 extended information: only the fields whose 32-bit value is saturated, in this order.
      const extra = findExtra(dir, p + 46 + nameLength, extraLength, 0x0001);
      if (!extra) throw unreadable(`${name}: zip64 sizes missing`);
      let q = extra.start;
      const take = () => {
        if (q + 8 > extra.end) throw unreadable(`${name}: zip64 sizes cut short`);
        const v = safe(dir.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (size === 0xffffffff) size = take();
      if (compressedSize === 0xffffffff) compressedSize = take();
      if (localOffset === 0xffffffff) localOffset = take();
    }
    if (flags & 1) throw unreadable(`${name} is encrypted`);
    if (localOffset + 30 + compressedSize > dirOffset) throw unreadable(`${name} runs past the directory`);
    if (method === 0 && size !== compressedSize) throw unreadable(`${name}: stored with two sizes`);
    if (method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 1024)
      throw unreadable(`${name}: declares ${size} bytes from ${compressedSize}, more than deflate can`);
    entries.push({ name, method, flags, crc: dir.readUInt32LE(p + 16), compressedSize, size, localOffset });
    p = next;
  }
  return entries;
}

function findExtra(buf: Buffer, start: number, length: number, id: number) {
  let p = start;
  const end = start + length;
  while (p + 4 <= end) {
    const size = buf.readUInt16LE(p + 2);
    if (buf.readUInt16LE(p) === id) return { start: p + 4, end: Math.min(end, p + 4 + size) };
    p += 4 + size;
  }
  return null;
}

function safe(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw unreadable('a zip64 size past 2^53');
  return Number(v);
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) throw unreadable('the file ends early');
  return buf;
}
