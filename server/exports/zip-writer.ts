import { Readable, pipeline } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

/** ZIP's 32-bit sizes and offsets. This writer writes no ZIP64: past this, `ZipSizeLimit` is thrown. */
export const ZIP32_MAX = 0xffff_ffff;

/** An entry would not fit a 32-bit ZIP file (the caller turns it into its own typed error). */
export class ZipSizeLimit extends Error {
  constructor(readonly entry: string) {
    super(`zip entry ${entry} would pass ${ZIP32_MAX} bytes`);
  }
}

interface Entry {
  readonly name: Buffer;
  readonly offset: number;
  readonly streamed: boolean;
  crc: number;
  compressed: number;
  size: number;
}

/**
 * A streaming ZIP writer for the few entries of an XLSX file (PKWARE APPNOTE 4.3, deflate, no
 * ZIP64): small entries are deflated whole (`file`), one large entry is deflated as its chunks come
 * (`stream`: sizes and CRC in a data descriptor after the data), then `end` writes the central
 * directory. Each method returns or yields the bytes to send, in order; nothing is kept but each
 * entry's sizes, so memory is zlib's window plus the chunk in hand, whatever the entry's size.
 */
export class ZipWriter {
  private offset = 0;
  private readonly entries: Entry[] = [];
  private readonly time: number;
  private readonly date: number;

  /** `limit` is ZIP's own (tests pass a small one to reach it). */
  constructor(
    now: Date = new Date(),
    private readonly limit: number = ZIP32_MAX,
  ) {
    this.time = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
    this.date = (Math.max(0, now.getFullYear() - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
  }

  /** A small entry, deflated in one go: its local header and data. */
  file(name: string, content: string): Buffer {
    const data = Buffer.from(content, 'utf8');
    const deflated = deflateRawSync(data);
    const entry = this.open(name, false);
    entry.crc = crc32(data);
    entry.compressed = deflated.length;
    entry.size = data.length;
    return this.advance(Buffer.concat([this.localHeader(entry), deflated]), entry);
  }

  /**
   * A large entry from its chunks: the local header, the deflated chunks as zlib hands them over
   * (a chunk is read only when the previous output was taken: back-pressure reaches `chunks`), then
   * the data descriptor. Throws ZipSizeLimit before the entry or the file passes 4 GiB.
   */
  async *stream(name: string, chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const entry = this.open(name, true);
    const limit = this.limit;
    yield this.advance(this.localHeader(entry), entry);
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const chunk of chunks) {
        entry.crc = crc32(chunk, entry.crc);
        entry.size += chunk.length;
        if (entry.size > limit) throw new ZipSizeLimit(name);
        yield chunk;
      }
    }
    const deflate = createDeflateRaw();
    // Errors of the source (the export's own, typed) reach the loop below through the deflate stream.
    pipeline(Readable.from(counted(), { objectMode: false }), deflate, () => undefined);
    for await (const chunk of deflate as AsyncIterable<Buffer>) {
      entry.compressed += chunk.length;
      yield this.advance(chunk, entry);
    }
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(entry.crc >>> 0, 4);
    descriptor.writeUInt32LE(entry.compressed, 8);
    descriptor.writeUInt32LE(entry.size, 12);
    yield this.advance(descriptor, entry);
  }

  /** The central directory and its end record. */
  end(): Buffer {
    const start = this.offset;
    const headers = this.entries.map((e) => {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4); // made by: 2.0
      h.writeUInt16LE(20, 6); // needed to extract: 2.0 (deflate)
      h.writeUInt16LE(flags(e), 8);
      h.writeUInt16LE(8, 10); // deflate
      h.writeUInt16LE(this.time, 12);
      h.writeUInt16LE(this.date, 14);
      h.writeUInt32LE(e.crc >>> 0, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42); // extra, comment, disk, attributes: 0
      return Buffer.concat([h, e.name]);
    });
    const directory = Buffer.concat(headers);
    if (start + directory.length + 22 > this.limit) throw new ZipSizeLimit('central directory');
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(this.entries.length, 8);
    eocd.writeUInt16LE(this.entries.length, 10);
    eocd.writeUInt32LE(directory.length, 12);
    eocd.writeUInt32LE(start, 16);
    this.offset += directory.length + eocd.length;
    return Buffer.concat([directory, eocd]);
  }

  private open(name: string, streamed: boolean): Entry {
    const entry: Entry = {
      name: Buffer.from(name, 'utf8'),
      offset: this.offset,
      streamed,
      crc: 0,
      compressed: 0,
      size: 0,
    };
    if (entry.offset > this.limit) throw new ZipSizeLimit(name);
    this.entries.push(entry);
    return entry;
  }

  private localHeader(e: Entry): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(flags(e), 6);
    h.writeUInt16LE(8, 8);
    h.writeUInt16LE(this.time, 10);
    h.writeUInt16LE(this.date, 12);
    h.writeUInt32LE(e.streamed ? 0 : e.crc >>> 0, 14);
    h.writeUInt32LE(e.streamed ? 0 : e.compressed, 18);
    h.writeUInt32LE(e.streamed ? 0 : e.size, 22);
    h.writeUInt16LE(e.name.length, 26);
    return Buffer.concat([h, e.name]);
  }

  private advance(bytes: Buffer, entry: Entry): Buffer {
    this.offset += bytes.length;
    if (this.offset > this.limit) throw new ZipSizeLimit(entry.name.toString('utf8'));
    return bytes;
  }
}

/** Bit 11: the name is UTF-8; bit 3: CRC and sizes follow the data (a streamed entry). */
function flags(e: Entry): number {
  return 0x0800 | (e.streamed ? 0x0008 : 0);
}
