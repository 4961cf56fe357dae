import { createHash } from 'node:crypto';
import type { Dataset, Project } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';
import type { Cache, CacheLogger } from '../cache/cache.js';
import { SHARED_TENANT } from '../cache/cache-key.js';
import type { CacheResult } from '../cache/cache-metrics.js';
import { CachedQueries, type CachedQueryRequest } from '../cache/cached-query.js';
import type { RequestSignal } from '../cache/cached-result.js';
import type { CircuitBreakers } from '../resilience/circuit-breaker.js';
import { freshnessPolicy, type FreshnessPolicy } from '../cache/freshness.js';
import { compilePlan, type CompiledQuery } from '../query/compiler.js';
import type { Engine, QueryResult } from '../query/engine.js';
import type { QueryPlan } from '../query/plan.js';
import { approximateBytes } from '../query/row-budget.js';
import type { Metrics } from '../observability/metrics.js';

export interface RunContext {
  /**
   * The client's signal: it stops this request waiting (a shared execution runs on for the others).
   * May be lazy (`LazySignal`): made only if this request has to wait for a query.
   */
  readonly signal?: RequestSignal | undefined;
  /**
   * Who asks, within the plan's tenant: the second level of the source's fair share. When several
   * requests share one execution, the first one's user is the one queued.
   */
  readonly user?: string | undefined;
  /** "Refresh now" (editors): results cached before this time are not served (CachedQueryRequest). */
  readonly freshAfter?: number | undefined;
}

/**
 * A plan compiled for its dataset's engine, with the parts of its cache key that do not change
 * (everything but the dataset's version, read per request). Reusable for as long as the runner
 * lives: the project and engines it was compiled against are fixed for the runner's life.
 */
export interface PreparedQuery {
  readonly plan: QueryPlan;
  readonly dataset: Dataset;
  readonly engine: Engine;
  readonly query: CompiledQuery;
  readonly key: CachedQueryRequest<QueryResult>['key'];
}

/** A result and how it was served. */
export interface RunResult {
  readonly result: QueryResult;
  /** `live` for datasets that are never cached. */
  readonly cache: CacheResult | 'live';
  /** Served from the cache because the source failed: the page shows when the data is from. */
  readonly stale: boolean;
  /** When the rows were read from the source (epoch ms). */
  readonly asOf: number;
  /** Until when the result may be reused without asking again (epoch ms); `asOf` for live datasets. */
  readonly freshUntil: number;
  /** Names this exact result (cache key and time): the basis of HTTP ETags. */
  readonly tag: string;
}

export interface QueryRunnerOptions {
  readonly project: Project;
  readonly engines: ReadonlyMap<string, Engine>;
  readonly metrics: Metrics;
  readonly cache: Cache;
  readonly breakers: CircuitBreakers;
  readonly logger: CacheLogger;
}

/**
 * The one path every dataset query takes, so limits, the cache, the circuit breakers and metrics
 * apply to all of them: compile with the dataset's engine dialect → read through the cache (fresh hit,
 * stale-while-revalidate, one execution per key across requests and instances, stale-if-error) →
 * run behind the source's circuit breaker within the project's limits.
 */
export class QueryRunner {
  private readonly project: Project;
  private readonly engines: ReadonlyMap<string, Engine>;
  private readonly metrics: Metrics;
  private readonly breakers: CircuitBreakers;
  private readonly cached: CachedQueries;
  private readonly policies = new Map<string, FreshnessPolicy | undefined>();

  constructor(private readonly options: QueryRunnerOptions) {
    this.project = options.project;
    this.engines = options.engines;
    this.metrics = options.metrics;
    this.breakers = options.breakers;
    for (const dataset of this.project.datasets.values())
      this.policies.set(dataset.id, freshnessPolicy(dataset.freshness));
    this.cached = new CachedQueries({
      cache: options.cache,
      logger: options.logger,
      metrics: options.metrics.cache,
      // Longer than any statement may run (the engine stops it at the timeout), so a lock never
      // expires under a live query and lets a second instance run the same statement.
      lockTtlMs: this.project.limits.queryTimeoutMs + 5_000,
    });
  }

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

  /** The dataset's freshness in milliseconds (0 = live): how long a browser may reuse its results. */
  freshnessMs(datasetId: string): number {
    return this.policies.get(datasetId)?.ttlMs ?? 0;
  }

  /**
   * Runs a plan for its tenant (`plan.tenant`, from the session). The tenant is in the compiled
   * statement's parameters for tenant datasets, and in the cache key as well, so a tenant's result is
   * never served to another even if two statements were the same; shared datasets share entries.
   */
  async run(plan: QueryPlan, context: RunContext = {}): Promise<RunResult> {
    return this.runPrepared(this.prepare(plan), context);
  }

  /** Compiles a plan and its cache key once, for `runPrepared` to run as often as asked. */
  prepare(plan: QueryPlan): PreparedQuery {
    const { dataset, engine, query } = this.compile(plan);
    const tenant = dataset.tenancy.kind === 'tenant' ? plan.tenant : SHARED_TENANT;
    return {
      plan,
      dataset,
      engine,
      query,
      key: { source: dataset.source, sql: query.sql, params: query.params, tenant, dataset: dataset.id },
    };
  }

  /** `run` for a plan prepared earlier (by this runner: its dataset and engine are this runner's). */
  async runPrepared(prepared: PreparedQuery, context: RunContext = {}): Promise<RunResult> {
    const { plan, dataset, engine, query } = prepared;
    const freshness = this.policies.get(dataset.id);
    const served = await this.cached.run<QueryResult>({
      key: prepared.key,
      freshness,
      execute: (signal) => this.execute(dataset, engine, query, signal, plan.tenant, context.user),
      sizeOf: resultBytes,
      ...(context.signal ? { signal: context.signal } : {}),
      ...(context.freshAfter !== undefined ? { freshAfter: context.freshAfter } : {}),
    });
    const ttl = freshness?.ttlMs ?? 0;
    return {
      result: served.value,
      cache: freshness ? served.result : 'live',
      stale: served.stale,
      asOf: served.storedAt,
      freshUntil: served.storedAt + ttl,
      tag: freshness
        ? `${dataset.id}.${served.storedAt}.${served.value.rows.length}`
        : `${dataset.id}.live.${rowsDigest(served.value)}`,
    };
  }

  /**
   * Invalidates every cached result of these datasets at once (their version is part of every key),
   * in every instance sharing the cache, and tells open pages to refetch. Whatever changes a
   * dataset's data calls this after committing: pipelines, uploads. Rejects when the version could
   * not be bumped (the change must not be reported done while its invalidation is lost).
   */
  async invalidate(datasetIds: readonly string[]): Promise<void> {
    for (const id of datasetIds) if (!this.project.datasets.has(id)) throw new Error(`unknown dataset ${id}`);
    await Promise.all(datasetIds.map((id) => this.options.cache.bumpVersion(id)));
  }

  /** One statement sent to an engine: behind the source's circuit breaker, timed and counted. */
  private async execute(
    dataset: Dataset,
    engine: Engine,
    query: CompiledQuery,
    signal: AbortSignal,
    tenant: string,
    user: string | undefined,
  ): Promise<QueryResult> {
    const { queryTimeoutMs, maxRows, maxBytes } = this.project.limits;
    const labels = { source: dataset.source, dataset: dataset.id };
    return this.breakers.execute(dataset.source, async () => {
      this.metrics.queryExecutions.inc(labels);
      const end = this.metrics.queryDuration.startTimer(labels);
      const asked = performance.now();
      try {
        const result = await engine.run(query, {
          timeoutMs: queryTimeoutMs,
          maxRows,
          maxBytes,
          signal,
          tenant,
          ...(user === undefined ? {} : { user }),
        });
        end({ outcome: 'ok' });
        // What is not the statement's own time was spent before it: waiting for a slot (fair share).
        return { ...result, waitedMs: Math.max(0, performance.now() - asked - result.elapsedMs) };
      } catch (err) {
        end({ outcome: err instanceof TrellisError ? err.code : 'error' });
        throw err;
      }
    });
  }
}

/**
 * A digest of a live result's rows: live results are never stored, so what names one is its
 * content — equal rows, equal tag (a browser's revalidation may get a 304); changed rows, new tag.
 */
function rowsDigest(result: QueryResult): string {
  return createHash('sha1')
    .update(
      JSON.stringify(result.rows, (_key, value: unknown) =>
        typeof value === 'bigint' ? `${value}n` : value,
      ),
    )
    .digest('base64url');
}

function resultBytes(result: QueryResult): number {
  let bytes = 64;
  for (const row of result.rows) bytes += approximateBytes(row);
  return bytes;
}
