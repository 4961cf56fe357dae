/**
 * A small string → value memo bounded by the characters of its keys (first in, first out), for
 * values that are pure functions of their key but cost a hash to compute: cache keys and ETags,
 * recomputed on every cache hit otherwise. Keys hold request-derived text (SQL, bound values,
 * filter JSON), so the bound is on their size, not their count; a key larger than a tenth of the
 * budget is computed every time rather than stored.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();
  private chars = 0;

  constructor(private readonly maxChars: number) {
    if (!(maxChars > 0)) throw new TypeError('maxChars must be > 0');
  }

  get(key: string, compute: () => V): V {
    const known = this.entries.get(key);
    if (known !== undefined) return known;
    const value = compute();
    if (key.length > this.maxChars / 10) return value;
    this.entries.set(key, value);
    this.chars += key.length;
    for (const [oldest] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= oldest.length;
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Characters of the keys held: never above maxChars. */
  get keyChars(): number {
    return this.chars;
  }
}
