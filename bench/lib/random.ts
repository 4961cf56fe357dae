/**
 * A seeded PRNG (mulberry32) for scripted users: the same seed gives the same clicks and think
 * times on every run, so two runs differ only by the server, not by what the users did.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A uniform value in [min, max). */
export const between = (random: () => number, min: number, max: number): number =>
  min + random() * (max - min);

export function pickOne<T>(random: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pickOne of no items');
  return items[Math.floor(random() * items.length)] as T;
}
