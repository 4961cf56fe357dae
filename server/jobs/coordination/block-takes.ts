import type { RateLimitSpec } from '../../config/project/pipeline.types.js';
import { sleep } from '../../resilience/sleep.js';
import type { SharedRateLimiter } from './shared-rate-limiter.js';

/** The longest single wait before asking the bucket again (another process may have left tokens unused). */
export const MAX_POLL_MS = 1_000;
/** The most tokens one round trip takes (concurrency is at most 32 per run; several runs may share). */
export const MAX_BLOCK = 64;

/** What one round trip to a bucket gave: tokens taken (0 … wanted), else how long until there is one. */
export interface BlockTake {
  readonly taken: number;
  readonly waitMs: number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

/**
 * The callers of one process waiting per bucket, served in arrival order by one loop per bucket:
 * each round trip asks for as many tokens as callers wait (at most MAX_BLOCK) and hands what it got to
 * the first of them. A caller that gives up (its signal aborts) leaves the line at once; a token taken
 * for it while the round trip was under way is left unused, which only ever errs below the limit.
 */
export class BlockTakes implements SharedRateLimiter {
  private readonly lines = new Map<string, Waiter[]>();

  constructor(private readonly takeUpTo: (limit: RateLimitSpec, wanted: number) => Promise<BlockTake>) {}

  take(limit: RateLimitSpec, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const line = this.lines.get(limit.name);
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const current = this.lines.get(limit.name);
          const at = current?.indexOf(waiter) ?? -1;
          if (at >= 0) current?.splice(at, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      if (line) line.push(waiter);
      else {
        this.lines.set(limit.name, [waiter]);
        void this.serve(limit);
      }
    });
  }

  private async serve(limit: RateLimitSpec): Promise<void> {
    const line = this.lines.get(limit.name) as Waiter[];
    // One signal for the loop's sleeps: it ends when every caller in line has given up.
    let idle: AbortController | null = null;
    try {
      while (line.length > 0) {
        let got: BlockTake;
        try {
          got = await this.takeUpTo(limit, Math.min(line.length, MAX_BLOCK));
        } catch (err) {
          // The store or Redis failed: every caller in line gets the error (its call fails as before).
          for (const w of line.splice(0)) settle(w, () => w.reject(err));
          return;
        }
        for (const w of line.splice(0, got.taken)) settle(w, w.resolve);
        if (line.length === 0 || got.taken > 0) continue;
        idle = new AbortController();
        const stop = idle;
        const wake = () => {
          if (line.length === 0) stop.abort();
        };
        for (const w of line) w.signal.addEventListener('abort', wake, { once: true });
        await sleep(Math.min(Math.max(1, got.waitMs), MAX_POLL_MS), stop.signal).catch(() => undefined);
        for (const w of line) w.signal.removeEventListener('abort', wake);
      }
    } finally {
      if (this.lines.get(limit.name) === line) this.lines.delete(limit.name);
    }
  }
}

function settle(w: Waiter, outcome: () => void): void {
  w.signal.removeEventListener('abort', w.onAbort);
  outcome();
}
