import { median } from './stats.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Median of readings taken every `everyMs` for `forMs`: one reading of RSS can catch the heap just
 * before a collection; the median over a window is the level the process holds.
 */
export async function sampleMedian(read: () => number, forMs: number, everyMs = 100): Promise<number> {
  const samples: number[] = [];
  const end = performance.now() + forMs;
  while (performance.now() < end) {
    samples.push(read());
    await sleep(everyMs);
  }
  return median(samples.length ? samples : [read()]);
}

/** Counts of each distinct key, for error breakdowns in results. */
export class Tally {
  private readonly counts = new Map<string, number>();
  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  get total(): number {
    let t = 0;
    for (const n of this.counts.values()) t += n;
    return t;
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]));
  }
}
