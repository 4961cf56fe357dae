/**
 * mulberry32: tiny, fast, good enough for synthetic data, and identical on every platform, so a
 * seed names one data set everywhere. (The clinical-trials generator has its own copy: examples do
 * not import each other, so each can be read, copied or deleted on its own.)
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Inclusive on both ends. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const v = items[Math.floor(this.next() * items.length)];
    if (v === undefined) throw new Error('generator bug: pick from an empty list');
    return v;
  }

  /** Weighted pick over a small table of [value, weight]. */
  choose<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const e of entries) total += e[1];
    let x = this.next() * total;
    for (const e of entries) {
      x -= e[1];
      if (x < 0) return e[0];
    }
    const last = entries[entries.length - 1];
    if (last === undefined) throw new Error('generator bug: empty weighted table');
    return last[0];
  }

  /** Zipf-like pick: item i has weight 1 / (i + 1)^s, so a few items take most picks. */
  skewed<T>(items: readonly T[], s = 1): T {
    let total = 0;
    for (let i = 0; i < items.length; i++) total += 1 / (i + 1) ** s;
    let x = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      x -= 1 / (i + 1) ** s;
      if (x < 0) return items[i] as T;
    }
    return this.pick(items);
  }

  /** Log-normal around `median` (Box–Muller, two draws per call). */
  logNormal(median: number, sigma: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
}
