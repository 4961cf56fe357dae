import type { TestApp } from './app-harness.js';

/** Statements the app has sent to its engines so far (trellis_query_executions_total, all labels). */
export async function executions(app: TestApp, dataset?: string): Promise<number> {
  const metric = await app.services.metrics.queryExecutions.get();
  return metric.values
    .filter((v) => dataset === undefined || v.labels.dataset === dataset)
    .reduce((sum, v) => sum + v.value, 0);
}

/** trellis_cache_requests_total for one result label. */
export async function cacheRequests(app: TestApp, result: string): Promise<number> {
  const text = await app.services.metrics.registry.getSingleMetricAsString('trellis_cache_requests_total');
  const line = text.split('\n').find((l) => l.startsWith(`trellis_cache_requests_total{result="${result}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}
