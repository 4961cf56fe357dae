import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FILE_CHUNK_BYTES, FileBody } from './file-body.js';

let dir: string;
let server: Server | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trellis-file-body-'));
});
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A file of random bytes, not a whole number of chunks, so every buffer is refilled many times. */
async function randomFile(bytes: number): Promise<{ file: string; content: Buffer }> {
  const file = path.join(dir, 'export.csv');
  const content = randomBytes(bytes);
  await writeFile(file, content);
  return { file, content };
}

/** A real HTTP server (a real socket, so writes really wait) answering with `body` piped in. */
async function serve(body: () => FileBody): Promise<{ url: string; bodies: FileBody[] }> {
  const bodies: FileBody[] = [];
  server = createServer((_req, res) => {
    const b = body();
    bodies.push(b);
    // As Fastify does for a stream body: a response that closes unfinished destroys the body.
    res.once('close', () => {
      if (!res.writableFinished) b.destroy();
    });
    b.pipe(res);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, bodies };
}

function request(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, resolve).on('error', reject));
}

/** Reads the response slowly (paused now and then), so the socket backs up and writes wait for it. */
async function readSlowly(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of res) {
    chunks.push(chunk as Buffer);
    if (++n % 20 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  return Buffer.concat(chunks);
}

describe('FileBody', () => {
  it('sends the head and then exactly the file to a response, from reused buffers, and deletes the file', async () => {
    const { file, content } = await randomFile(FILE_CHUNK_BYTES * 37 + 1234);
    const head = Buffer.from('a,b\r\n');
    const { url, bodies } = await serve(() => new FileBody(file, head));
    const received = await readSlowly(await request(url));
    expect(received.equals(Buffer.concat([head, content]))).toBe(true);
    const body = bodies[0] as FileBody;
    await finished(body).catch(() => undefined);
    expect(body.bytes).toBe(head.length + content.length);
    await expect.poll(() => existsSync(file)).toBe(false);
  });

  it('is an ordinary stream read any other way: head, then the file', async () => {
    const { file, content } = await randomFile(FILE_CHUNK_BYTES * 3 + 7);
    const body = new FileBody(file, Buffer.from('h\n'));
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(Buffer.concat([Buffer.from('h\n'), content]))).toBe(true);
    expect(body.bytes).toBe(content.length + 2);
    await expect.poll(() => existsSync(file)).toBe(false);
  });

  it('sends an empty file as the head alone', async () => {
    const file = path.join(dir, 'empty.csv');
    await writeFile(file, '');
    const { url } = await serve(() => new FileBody(file, Buffer.from('only,the,header\r\n')));
    expect((await readSlowly(await request(url))).toString()).toBe('only,the,header\r\n');
  });

  it('stops and deletes the file when the client leaves mid-way', async () => {
    const { file } = await randomFile(FILE_CHUNK_BYTES * 400);
    const { url, bodies } = await serve(() => new FileBody(file));
    const res = await request(url);
    await new Promise<void>((resolve) => res.once('data', () => resolve()));
    res.destroy();
    const body = bodies[0] as FileBody;
    await expect.poll(() => body.destroyed).toBe(true);
    await expect.poll(() => existsSync(file)).toBe(false);
    expect(body.bytes).toBeLessThan(FILE_CHUNK_BYTES * 400);
  });

  it('sends a file while it is written, to its end once the writer has finished', async () => {
    const file = path.join(dir, 'growing.parquet');
    const parts = Array.from({ length: 12 }, () => randomBytes(FILE_CHUNK_BYTES + 999));
    let release!: () => void;
    const writing = (async () => {
      await writeFile(file, '');
      for (const part of parts) {
        await appendFile(file, part);
        await new Promise((r) => setTimeout(r, 15));
      }
      await new Promise<void>((r) => (release = r));
    })();
    const { url } = await serve(() => new FileBody(file, undefined, writing));
    const res = await request(url);
    // The first bytes arrive before the writer has finished…
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    await expect.poll(() => Buffer.concat(chunks).length).toBe(parts.reduce((n, p) => n + p.length, 0));
    expect(res.complete).toBe(false);
    // …and the body ends once it has.
    release();
    await finished(res);
    expect(Buffer.concat(chunks).equals(Buffer.concat(parts))).toBe(true);
  });

  it('ends the download with an error when the writer fails after the first bytes', async () => {
    const file = path.join(dir, 'failing.parquet');
    await writeFile(file, randomBytes(1000));
    const writing = new Promise((_, reject) => setTimeout(() => reject(new Error('copy failed')), 50));
    const body = new FileBody(file, undefined, writing);
    await expect(async () => {
      for await (const _ of body) void _;
    }).rejects.toThrow('copy failed');
    await expect.poll(() => existsSync(file)).toBe(false);
  });

  it("reads DuckDB's Parquet COPY as it writes it: the download is the whole file, rows in order", async () => {
    const out = path.join(dir, 'rows.parquet');
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const conn = await instance.connect();
    try {
      // Several row groups (122,880 rows each), sorted, so the file grows while the test reads it.
      const rows = 600_000;
      const copy = `COPY (SELECT i, md5(i::VARCHAR) AS h FROM range(${rows}) t(i) ORDER BY h, i) TO '${out}' (FORMAT parquet)`;
      let started = false;
      const writing = conn.run(copy);
      while (!started) {
        await new Promise((r) => setTimeout(r, 5));
        started = existsSync(out);
      }
      const { url } = await serve(() => new FileBody(out, undefined, writing));
      const got = path.join(dir, 'got.parquet');
      await writeFile(got, await readSlowly(await request(url)));
      const check = await conn.runAndReadAll(
        `SELECT count(*)::INTEGER, count(*) FILTER (WHERE n <> e)::INTEGER FROM (
           SELECT row_number() OVER () AS n, h FROM read_parquet('${got}')) g
         JOIN (SELECT row_number() OVER (ORDER BY h, i) AS e, h FROM range(${rows}) t(i), LATERAL (SELECT md5(i::VARCHAR) AS h)) x USING (h)`,
      );
      expect(check.getRows()).toEqual([[rows, 0]]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('fails as a stream when the file is missing', async () => {
    const body = new FileBody(path.join(dir, 'no-such-file.csv'));
    await expect(async () => {
      for await (const _ of body) void _;
    }).rejects.toThrow(/ENOENT/);
  });
});
