import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { ZipSizeLimit, ZipWriter } from './zip-writer.js';

// unzipper (exceljs's own zip reader): an independent reader to read the writer's output back.
const require = createRequire(import.meta.url);
interface ZipFile {
  readonly path: string;
  readonly crc32: number;
  readonly uncompressedSize: number;
  buffer(): Promise<Buffer>;
}
const unzipper = require('unzipper') as { Open: { buffer(b: Buffer): Promise<{ files: ZipFile[] }> } };

async function collect(parts: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const p of parts) out.push(p);
  return out;
}

async function* chunksOf(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('ZipWriter', () => {
  test('whole and streamed entries read back byte for byte, with their CRCs and sizes', async () => {
    const zip = new ZipWriter(new Date(2026, 11, 7, 12, 30, 10));
    // Text that deflates well and random bytes that do not: both sizes must come out right.
    const big = Buffer.concat([
      Buffer.from('<row r="1"><c><v>1</v></c></row>'.repeat(20_000)),
      randomBytes(300_000),
    ]);
    const parts = [
      zip.file('[Content_Types].xml', '<Types/>'),
      zip.file('ünï/cödé.txt', 'a small entry'),
      ...(await collect(zip.stream('xl/worksheets/sheet1.xml', chunksOf(big, 65_536)))),
      zip.end(),
    ];
    const file = Buffer.concat(parts);
    const { files } = await unzipper.Open.buffer(file);
    expect(files.map((f) => f.path)).toEqual([
      '[Content_Types].xml',
      'ünï/cödé.txt',
      'xl/worksheets/sheet1.xml',
    ]);
    const sheet = files[2] as ZipFile;
    expect(sheet.uncompressedSize).toBe(big.length);
    expect(sheet.crc32 >>> 0).toBe(crc32(big) >>> 0);
    expect((await sheet.buffer()).equals(big)).toBe(true);
    expect((await (files[1] as ZipFile).buffer()).toString('utf8')).toBe('a small entry');
  });

  test('an entry past the limit throws ZipSizeLimit instead of writing a file no reader can open', async () => {
    const zip = new ZipWriter(new Date(), 100_000);
    zip.file('a.xml', '<a/>');
    const data = randomBytes(150_000); // random: deflate cannot shrink it under the limit
    await expect(collect(zip.stream('big.xml', chunksOf(data, 10_000)))).rejects.toBeInstanceOf(ZipSizeLimit);
  });

  test("a failing source ends the streamed entry with the source's own error", async () => {
    const zip = new ZipWriter();
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('<a>');
      throw new Error('the query failed');
    }
    await expect(collect(zip.stream('s.xml', failing()))).rejects.toThrow('the query failed');
  });
});
