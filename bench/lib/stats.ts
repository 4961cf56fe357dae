/** Summary statistics for benchmark samples. Percentiles use the nearest-rank method. */

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  if (p < 0 || p > 100) throw new Error(`percentile out of range: ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('mean of no samples');
  return samples.reduce((a, b) => a + b, 0) / samples.length;
}

export function summarize(samples: readonly number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
} {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    // Not Math.max(...samples): spreading a few hundred thousand samples overflows the call stack.
    max: samples.reduce((a, b) => (b > a ? b : a), -Infinity),
    mean: mean(samples),
  };
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Least-squares slope of y over x: the marginal cost per unit (e.g. MB of RSS per session), which
 * is less sensitive to one noisy level than the difference of two readings.
 */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new Error('slope needs as many x as y values');
  if (xs.length < 2) throw new Error('slope needs at least two points');
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] as number) - mx;
    num += dx * ((ys[i] as number) - my);
    den += dx * dx;
  }
  if (den === 0) throw new Error('slope of points that share one x');
  return num / den;
}

/** a / b, refusing a zero or non-finite denominator rather than printing Infinity as a result. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0)
    throw new Error(`ratio of ${a} to ${b} is undefined`);
  return a / b;
}
