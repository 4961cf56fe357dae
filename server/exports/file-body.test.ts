import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
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

  it('fails as a stream when the file is missing', async () => {
    const body = new FileBody(path.join(dir, 'no-such-file.csv'));
    await expect(async () => {
      for await (const _ of body) void _;
    }).rejects.toThrow(/ENOENT/);
  });
});
