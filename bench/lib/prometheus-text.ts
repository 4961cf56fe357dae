/**
 * Reads one sample from Prometheus text exposition (what /metrics returns), e.g.
 * `nodejs_eventloop_lag_p99_seconds 0.012`. Only unlabelled samples and exact label sets are needed.
 */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean).sort().join(',');
    if (have === wanted) return Number(m[3]);
  }
  return undefined;
}

/**
 * prom-client's `nodejs_eventloop_lag_*` come from Node's `monitorEventLoopDelay`, which records the
 * time between ticks of a timer that fires every `resolution` ms — so an idle loop reads about the
 * resolution, not 0 (nodejs/node#62935 calls it "an implicit floor of resolution ms";
 * open-telemetry-js-contrib#2794). The delay is what exceeds the interval. The server sets the
 * resolution to 10 ms (server/observability/metrics.ts, eventLoopMonitoringPrecision).
 */
export const LOOP_MONITOR_RESOLUTION_MS = 10;

/** Event-loop delay in ms from a `nodejs_eventloop_lag_*_seconds` sample: interval removed, never < 0. */
export function loopDelayMs(lagSeconds: number, resolutionMs = LOOP_MONITOR_RESOLUTION_MS): number {
  return Math.max(0, lagSeconds * 1000 - resolutionMs);
}

/**
 * The sum of every sample of a metric whose labels include `labels` (other labels may differ), e.g.
 * every `trellis_query_executions_total{source=…,dataset="events"}`. 0 when there is none.
 */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map(
      [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(m[3]);
  }
  return sum;
}
