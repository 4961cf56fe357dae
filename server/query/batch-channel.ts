import type { RowBatch } from './engine.js';

/**
 * The hand-off between an engine reading rows and a consumer writing a file: a bounded queue of
 * batches. The producer `put`s and, when the queue is full, awaits `room()` (or pauses its socket
 * until `onRoom` fires); the consumer iterates. Leaving the loop early (or an error in the consumer)
 * aborts `signal`, which the engine treats like a client disconnect: the statement is cancelled.
 */
export class BatchChannel implements AsyncIterable<RowBatch> {
  private readonly queue: RowBatch[] = [];
  private finished = false;
  private failure: { error: unknown } | undefined;
  private wakeConsumer: (() => void) | undefined;
  private roomWaiters: (() => void)[] = [];
  private readonly abort = new AbortController();

  constructor(
    /** Batches held at most before the producer must wait. */
    private readonly capacity = 2,
  ) {}

  /** Aborts when the consumer stopped reading: the producer cancels its statement. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Queues a batch; false when the queue is now full (the producer should wait for room). */
  put(batch: RowBatch): boolean {
    if (this.finished || this.abort.signal.aborted) return false;
    this.queue.push(batch);
    this.wake();
    return this.hasRoom();
  }

  hasRoom(): boolean {
    return this.queue.length < this.capacity;
  }

  /** Resolves when the consumer has taken a batch (or stopped reading). */
  room(): Promise<void> {
    if (this.hasRoom() || this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  end(): void {
    this.finished = true;
    this.wake();
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.failure = { error };
    this.finished = true;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RowBatch> {
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next) {
          this.freeRoom();
          yield next;
          continue;
        }
        if (this.failure) throw this.failure.error;
        if (this.finished) return;
        await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      }
    } finally {
      // Early exit (break, throw, stream destroyed): whatever is still running is not wanted.
      if (!this.finished || this.queue.length > 0) this.abort.abort();
      this.queue.length = 0;
      this.freeRoom();
    }
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }

  private freeRoom(): void {
    if (!this.hasRoom() && !this.abort.signal.aborted) return;
    for (const resolve of this.roomWaiters.splice(0)) resolve();
  }
}
