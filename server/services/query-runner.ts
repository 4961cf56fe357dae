import type { Dataset, Project } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';
import { compilePlan, type CompiledQuery } from '../query/compiler.js';
import type { Engine, QueryResult } from '../query/engine.js';
import type { QueryPlan } from '../query/plan.js';
import type { Metrics } from '../observability/metrics.js';

/**
 * Compiles plans with the right engine's dialect and runs them within the project's limits. The
 * one path every dataset query takes, so limits, metrics (and the cache, next) apply to all of them.
 */
export class QueryRunner {
  constructor(
    private readonly project: Project,
    private readonly engines: ReadonlyMap<string, Engine>,
    private readonly metrics: Metrics,
  ) {}

  compile(plan: QueryPlan): { dataset: Dataset; engine: Engine; query: CompiledQuery } {
    const dataset = this.project.datasets.get(plan.dataset);
    if (!dataset) throw new Error(`unknown dataset ${plan.dataset}`);
    const engine = this.engines.get(dataset.source);
    if (!engine) throw new TrellisError('SOURCE_UNAVAILABLE', { detail: { source: dataset.source } });
    return {
      dataset,
      engine,
      query: compilePlan(plan, dataset, engine.dialect, { maxRows: this.project.limits.maxRows }),
    };
  }

  async run(plan: QueryPlan, signal?: AbortSignal): Promise<QueryResult> {
    const { dataset, engine, query } = this.compile(plan);
    const { queryTimeoutMs, maxRows, maxBytes } = this.project.limits;
    const end = this.metrics.queryDuration.startTimer({ source: dataset.source, dataset: dataset.id });
    try {
      const result = await engine.run(query, {
        timeoutMs: queryTimeoutMs,
        maxRows,
        maxBytes,
        ...(signal ? { signal } : {}),
      });
      end({ outcome: 'ok' });
      return result;
    } catch (err) {
      end({ outcome: err instanceof TrellisError ? err.code : 'error' });
      throw err;
    }
  }
}
