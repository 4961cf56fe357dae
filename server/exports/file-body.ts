import { open, rm, type FileHandle } from 'node:fs/promises';
import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';

/** Size of each buffer a file is sent from. */
export const FILE_CHUNK_BYTES = 64 * 1024;
/** Buffers in flight at once when sending to a response (a read overlaps the socket's writes). */
const BUFFERS = 4;
/** How often a reader that caught up with a file still being written looks for more. */
const GROWTH_POLL_MS = 10;

/**
 * An export file the engine wrote (a `COPY … TO` into its export folder), behind an optional head
 * (the CSV header line), as the download's body; the file is deleted when the body closes, however
 * it ends.
 *
 * Piped into an HTTP response — Fastify pipes a reply's stream body into it — the bytes go out from
 * four 64 KB buffers that are reused, each read into again only after the response's write callback
 * said the socket has written it. A plain stream would read every chunk into a new Buffer, and
 * V8 frees those only at a GC, which external memory triggers late: ~25–30 MB of sent chunks sat in
 * RSS during a 96 MB CSV download (docs/performance.md). Read any other way (a job piping it into a
 * file, a report collecting it) it is an ordinary stream of fresh chunks, as those keep them.
 */
export class FileBody extends Readable {
  /** Bytes handed on so far, the head included (the export metrics). */
  bytes = 0;
  private handle: Promise<FileHandle> | undefined;
  private headDone = false;
  /** Piped into a response: the write loop owns the bytes, `_read` hands out none. */
  private sending = false;
  /** Wakes the write loop waiting for a buffer (a write finished, or the body was destroyed). */
  private wake: (() => void) | undefined;

  /** Undefined: the file is whole. Else settles when its writer has finished (or failed). */
  private readonly writing: Promise<void> | undefined;
  private writerDone = false;
  private writerError: Error | undefined;

  /**
   * `writing`, when the file is still being written front to back (Parquet by DuckDB's `COPY`):
   * reading catches up with the writer and waits for more until it settles; its failure fails the
   * body (the response is cut off, never a silently short file).
   */
  constructor(
    private readonly file: string,
    private readonly head?: Buffer,
    writing?: Promise<unknown>,
  ) {
    super({ highWaterMark: FILE_CHUNK_BYTES });
    this.writing = writing?.then(
      () => void (this.writerDone = true),
      (err: unknown) => {
        this.writerError = err instanceof Error ? err : new Error(String(err));
        this.writerDone = true;
      },
    );
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    // Only a response that nothing has been read for yet; anything else takes the ordinary path.
    if (!(destination instanceof ServerResponse) || this.sending || this.headDone || this.bytes > 0)
      return super.pipe(destination, options);
    this.sending = true;
    this.send(destination, options?.end !== false).catch((err: unknown) =>
      this.destroy(err instanceof Error ? err : new Error(String(err))),
    );
    return destination;
  }

  override _read(): void {
    if (this.sending) return;
    this.readFresh().catch((err: unknown) =>
      this.destroy(err instanceof Error ? err : new Error(String(err))),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.wake?.();
    const handle = this.handle;
    this.handle = undefined;
    void (async () => {
      try {
        if (handle) await (await handle).close();
      } catch {
        // Never opened (its error is the stream's) or already closed: nothing to release.
      }
      await rm(this.file, { force: true });
    })().then(
      () => callback(error),
      (err: unknown) => callback(error ?? (err instanceof Error ? err : new Error(String(err)))),
    );
  }

  private fileHandle(): Promise<FileHandle> {
    this.handle ??= open(this.file, 'r');
    return this.handle;
  }

  /** The ordinary path: the head, then the file in fresh chunks. */
  private async readFresh(): Promise<void> {
    if (!this.headDone) {
      this.headDone = true;
      if (this.head && this.head.length > 0) {
        this.bytes += this.head.length;
        this.push(this.head);
        return;
      }
    }
    const chunk = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
    const bytesRead = await this.readInto(chunk);
    if (this.destroyed) return;
    if (bytesRead === 0) {
      this.push(null);
      return;
    }
    this.bytes += bytesRead;
    this.push(chunk.subarray(0, bytesRead));
  }

  /**
   * The next bytes of the file into `buffer`; 0 at its end. A file still being written is at its
   * end only once the writer has finished: until then, having caught up, wait for more.
   */
  private async readInto(buffer: Buffer): Promise<number> {
    const handle = await this.fileHandle();
    for (;;) {
      // Whether the writer had finished before this read: then 0 bytes is the end for certain.
      const finished = this.writing === undefined || this.writerDone;
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (this.writerError) throw this.writerError;
      if (bytesRead > 0 || finished || this.destroyed) return bytesRead;
      await Promise.race([this.writing, delay(GROWTH_POLL_MS)]);
    }
  }

  /** The response path: read into a free buffer, write it, take it back in the write's callback. */
  private async send(response: ServerResponse, end: boolean): Promise<void> {
    const free: Buffer[] = Array.from({ length: BUFFERS }, () => Buffer.allocUnsafeSlow(FILE_CHUNK_BYTES));
    let failed: Error | undefined;
    const settle = (buffer: Buffer | undefined) => (err?: Error | null) => {
      if (err) failed ??= err;
      if (buffer) free.push(buffer);
      this.wake?.();
    };
    this.headDone = true;
    if (this.head && this.head.length > 0) {
      this.bytes += this.head.length;
      response.write(this.head, settle(undefined));
    }
    for (;;) {
      while (free.length === 0 && !failed && !this.destroyed)
        await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
      // A failed write means the response is gone (Fastify destroys its body then too): stop here.
      if (failed || this.destroyed) {
        if (!this.destroyed) this.destroy(failed);
        return;
      }
      const buffer = free.pop() as Buffer;
      const bytesRead = await this.readInto(buffer);
      if (this.destroyed) return;
      if (bytesRead === 0) break;
      this.bytes += bytesRead;
      response.write(buffer.subarray(0, bytesRead), settle(buffer));
    }
    // End this stream first (its end-of-stream listeners see a finished body), then the response,
    // which flushes the writes still in flight.
    this.push(null);
    this.resume();
    if (end) response.end();
  }
}
