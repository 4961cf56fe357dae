import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TrellisError } from '../errors.js';
import { SNIFF_BYTES } from './upload-format.js';

export interface ReceivedFile {
  readonly bytes: number;
  readonly sha256: string;
  /** The first SNIFF_BYTES bytes, for the content check. */
  readonly head: Buffer;
}

/**
 * Streams one upload to `file`, counting and hashing on the way, never holding more than a chunk in
 * memory. Past `maxBytes` the stream is cut off at once (UPLOAD_TOO_LARGE) — not read to its end
 * first. On ANY failure — the limit, the client going away, a full disk — the partial file is
 * removed before the error goes on.
 */
/**
 * How far the socket may run ahead of the disk, per stage (Node's default is 16 KB: every 64 KB chunk
 * then waited for its own write before the next was read). Bounded: a few MB per upload at most.
 */
const BUFFER_BYTES = 1024 * 1024;

export async function receiveFile(source: Readable, file: string, maxBytes: number): Promise<ReceivedFile> {
  const hash = createHash('sha256');
  const headChunks: Buffer[] = [];
  let headBytes = 0;
  let bytes = 0;
  const meter = new Transform({
    highWaterMark: BUFFER_BYTES,
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        done(new TrellisError('UPLOAD_TOO_LARGE', { detail: { maxBytes } }));
        return;
      }
      if (headBytes < SNIFF_BYTES) {
        headChunks.push(chunk.subarray(0, SNIFF_BYTES - headBytes));
        headBytes += Math.min(chunk.length, SNIFF_BYTES - headBytes);
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    // 'wx': never follow or overwrite something already there (ids are random; this is belt and braces).
    await pipeline(
      source,
      meter,
      createWriteStream(file, { flags: 'wx', mode: 0o600, highWaterMark: BUFFER_BYTES }),
    );
    // @fastify/multipart marks a stream its own fileSize limit cut short as truncated.
    if ((source as Readable & { truncated?: boolean }).truncated)
      throw new TrellisError('UPLOAD_TOO_LARGE', { detail: { maxBytes } });
  } catch (err) {
    await rm(file, { force: true });
    if (err instanceof TrellisError) throw err;
    throw new TrellisError('UPLOAD_ABORTED', { detail: { cause: (err as Error).message } });
  }
  return { bytes, sha256: hash.digest('hex'), head: Buffer.concat(headChunks) };
}
