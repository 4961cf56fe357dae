import { TrellisError } from '../errors.js';

interface Waiter {
  readonly key: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  /** Detaches the abort listener and the queue timer once the waiter leaves the queue. */
  cleanup: () => void;
}

/** The fairness key of callers that give none: they all share one turn. */
const SHARED_KEY = '';

/**
 * Admits at most `concurrency` tasks at once and queues at most `queueLimit` more; a full queue is
 * SOURCE_BUSY at once rather than an ever-growing backlog, and so is a wait longer than
 * `queueTimeoutMs` (when given). A waiter whose signal aborts leaves the queue without taking a slot.
 *
 * Fair share: waiters are queued per key (the tenant) and free slots go round-robin across the keys
 * that have waiters, so one tenant's burst of 50 queries cannot make another tenant's 2 wait behind
 * all of them. Within one key, waiters are served in arrival order.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private waitingCount = 0;
  /** Waiters per key. Map order is the round-robin order: a key that was served moves to the back. */
  private readonly queues = new Map<string, Waiter[]>();

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
    readonly queueTimeoutMs?: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waitingCount;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal, key?: string): Promise<T> {
    await this.acquire(signal, key ?? SHARED_KEY);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined, key: string): Promise<void> {
    if (signal?.aborted) return Promise.reject(new TrellisError('QUERY_CANCELLED'));
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waitingCount >= this.queueLimit) {
      return Promise.reject(
        new TrellisError('SOURCE_BUSY', { detail: { active: this.active, queued: this.waitingCount } }),
      );
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        if (this.remove(waiter)) reject(new TrellisError('QUERY_CANCELLED'));
      };
      const waiter: Waiter = {
        key,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.queueTimeoutMs !== undefined) {
        const waitedMs = this.queueTimeoutMs;
        timer = setTimeout(() => {
          if (this.remove(waiter))
            reject(new TrellisError('SOURCE_BUSY', { detail: { waitedMs, active: this.active } }));
        }, waitedMs);
      }
      const queue = this.queues.get(key);
      if (queue) queue.push(waiter);
      else this.queues.set(key, [waiter]);
      this.waitingCount++;
    });
  }

  private release(): void {
    const next = this.takeNext();
    if (next) {
      next.cleanup();
      next.resolve(); // the slot passes straight to the next waiter
    } else {
      this.active--;
    }
  }

  /** The first waiter of the key whose turn it is; that key then goes to the back of the round. */
  private takeNext(): Waiter | undefined {
    for (const [key, queue] of this.queues) {
      const waiter = queue.shift();
      this.queues.delete(key);
      if (queue.length) this.queues.set(key, queue);
      if (waiter) {
        this.waitingCount--;
        return waiter;
      }
    }
    return undefined;
  }

  /** Takes a waiter out of the queue (abort, timeout); false if it already left with a slot. */
  private remove(waiter: Waiter): boolean {
    const queue = this.queues.get(waiter.key);
    const i = queue ? queue.indexOf(waiter) : -1;
    if (!queue || i < 0) return false;
    queue.splice(i, 1);
    if (!queue.length) this.queues.delete(waiter.key);
    this.waitingCount--;
    waiter.cleanup();
    return true;
  }
}
