import autocannon from 'autocannon';

export interface LoadSettings {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
  /** Sent with every request (e.g. `authorization: Bearer …`). */
  readonly headers?: Record<string, string>;
  readonly connections: number;
  readonly durationS: number;
}

export interface LoadResult {
  /** Successful responses per second over the run. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  readonly failed: number;
}

/**
 * One autocannon run in this process (pinned to the load core). Throughput counts 2xx responses
 * only: an error answered fast must not look like speed.
 */
export async function load(settings: LoadSettings): Promise<LoadResult> {
  const result = await autocannon({
    url: settings.url,
    method: settings.method ?? 'GET',
    connections: settings.connections,
    duration: settings.durationS,
    pipelining: 1,
    headers: {
      ...settings.headers,
      ...(settings.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(settings.body !== undefined ? { body: settings.body } : {}),
  });
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok,
    failed: result.non2xx + result.errors,
  };
}
