import { TrellisError } from '../errors.js';

export interface PasswordWorkLimits {
  /** argon2 operations (hash or verify) running at once. */
  readonly concurrency: number;
  /** Operations that may wait for a turn; one more is SIGN_IN_BUSY at once. */
  readonly maxQueued: number;
  /** Longest wait for a turn before SIGN_IN_BUSY (a sign-in nobody waits for any more is wasted work). */
  readonly maxWaitMs: number;
}

/** What a refused caller is told to wait: the queue drains in well under a second when healthy. */
export const SIGN_IN_BUSY_RETRY_AFTER_S = 1;

/**
 * Admission control for argon2. Each hash or verification holds a libuv pool thread for 10–30 ms
 * of CPU, and DuckDB queries and file reads need the same pool: without a bound, a sign-in storm
 * (1000 users arriving within seconds) fills every thread with argon2 and data requests wait behind
 * it. At most `concurrency` run at once (by default half the pool), at most `maxQueued` wait in
 * arrival order, and the rest are refused with a catalogued 503 and Retry-After, never piled up.
 */
export class PasswordWorkGate {
  private active = 0;
  private readonly waiting: { start: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(readonly limits: PasswordWorkLimits) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limits.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.maxQueued) return Promise.reject(this.busy('queue full'));
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          clearTimeout(entry.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i < 0) return;
          this.waiting.splice(i, 1);
          reject(this.busy('waited too long'));
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(entry);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next)
      next.start(); // the slot passes straight to the next waiter
    else this.active--;
  }

  private busy(reason: string): TrellisError {
    return new TrellisError('SIGN_IN_BUSY', {
      retryAfterSeconds: SIGN_IN_BUSY_RETRY_AFTER_S,
      detail: { reason, active: this.active, queued: this.waiting.length, ...this.limits },
    });
  }
}
