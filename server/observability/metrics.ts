import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createCacheMetrics, type CacheMetrics } from '../cache/cache-metrics.js';
import type { CircuitState } from '../resilience/circuit-breaker.js';

/**
 * Prometheus metrics for one app instance. A registry per app (not the global one) keeps apps
 * built in tests independent. Default metrics include event-loop delay percentiles
 * (nodejs_eventloop_lag_p99_seconds), heap and RSS.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'trellis_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly queryDuration = new Histogram({
    name: 'trellis_query_duration_seconds',
    help: 'Engine query latency by source, dataset and outcome (ok or an error code)',
    labelNames: ['source', 'dataset', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /** Statements sent to an engine: what the cache saves is the gap between this and requests. */
  readonly queryExecutions = new Counter({
    name: 'trellis_query_executions_total',
    help: 'Statements sent to an engine, by source and dataset',
    labelNames: ['source', 'dataset'] as const,
    registers: [this.registry],
  });

  /** Uploads by target and result (received, rejected with its code): docs/uploads.md. */
  readonly uploads = new Counter({
    name: 'trellis_uploads_total',
    help: 'Files sent to upload targets, by target and result',
    labelNames: ['target', 'result'] as const,
    registers: [this.registry],
  });

  /** Bytes of uploaded files kept (received), by target. */
  readonly uploadBytes = new Counter({
    name: 'trellis_upload_bytes_total',
    help: 'Bytes of files received by upload targets',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });

  /** 0 closed, 1 half-open, 2 open: a source that is down shows here before users report it. */
  readonly circuitState = new Gauge({
    name: 'trellis_source_circuit_state',
    help: "A source's circuit breaker: 0 closed, 1 half-open (probing), 2 open (failing fast)",
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  private openStreams: () => number = () => 0;
  readonly eventStreams = new Gauge({
    name: 'trellis_event_streams',
    help: 'Open dashboard update streams (server-sent events), bounded by TRELLIS_MAX_EVENT_STREAMS',
    registers: [this.registry],
    collect: () => {
      this.eventStreams.set(this.openStreams());
    },
  });

  readonly cache: CacheMetrics = createCacheMetrics(this.registry);

  readonly errors = new Counter({
    name: 'trellis_http_errors_total',
    help: 'Error responses by catalogue code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  /** Widget exports by format and outcome (ok, or the error code that ended them). */
  readonly exports = new Counter({
    name: 'trellis_exports_total',
    help: 'Widget exports by format and outcome (ok, cancelled, or an error code)',
    labelNames: ['format', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly exportBytes = new Counter({
    name: 'trellis_export_bytes_total',
    help: 'Bytes of widget export files sent, by format',
    labelNames: ['format'] as const,
    registers: [this.registry],
  });

  /** Scheduled report deliveries by channel and result (sent, retry, failed). */
  readonly alertNotifications = new Counter({
    name: 'trellis_alert_notifications_total',
    help: 'Alert notifications by result (sent, retry, failed; muted: a transition recorded but not sent)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly reportDeliveries = new Counter({
    name: 'trellis_report_deliveries_total',
    help: 'Scheduled report delivery attempts by channel and result (sent, retry, failed)',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });

  /** Requests refused to shed load (SOURCE_BUSY, RATE_LIMITED, TOO_MANY_STREAMS, …): logged as warnings. */
  readonly overload = new Counter({
    name: 'trellis_overload_total',
    help: 'Requests refused by design under load, by catalogue code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  trackEventStreams(open: () => number): void {
    this.openStreams = open;
  }

  setCircuitState(source: string, state: CircuitState): void {
    this.circuitState.set({ source }, CIRCUIT_STATE_VALUE[state]);
  }
}

const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };
