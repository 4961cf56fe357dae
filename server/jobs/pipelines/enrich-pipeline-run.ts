import { createHash } from 'node:crypto';
import { getMaxListeners, setMaxListeners } from 'node:events';
import {
  API_USAGE_TABLE_NAME,
  type Pipeline,
  type PipelineTable,
} from '../../config/project/pipeline.types.js';
import type { Dataset } from '../../config/project/project.types.js';
import type { IngestReadQuery } from '../../query/ingest-read.js';
import type { IngestCell, IngestTable, IngestWriter } from '../../query/ingest-writer.js';
import type { SharedRateLimiter } from '../coordination/shared-rate-limiter.js';
import type { PipelineRunContext, PipelineRunResult } from '../pipeline-contract.js';
import { callApi, enrichBreakers } from './api-call.js';
import { awaitLaunchedJob } from './launch-poll.js';
import { buildRequest, RequestBuildError, type BuiltRequest } from './request-builder.js';
import { coerce, readPath } from './row-mapping.js';
import { Publisher, pipelineFailed } from './run-support.js';
import type { SecretRedactor } from './secret-redactor.js';

/**
 * An enrichment run (docs/pipelines.md#enrichment): the rows of `enrich.from` that need it, in key
 * order, `batch` at a time; for each row one API call (at most `concurrency` in flight, under the
 * shared rate limit); then the batch's results — `ok` with the mapped values, or `failed` with the
 * reason, never a default — replace the rows' results in ONE transaction with the checkpoint. A crash
 * loses at most the batch in flight; the next run reads only rows without a result, so it resumes.
 * Each call carries an Idempotency-Key derived from the pipeline, organisation and row key, so an API
 * that honours it does a repeated call (after a crash) once.
 */
export interface EnrichRunInputs {
  readonly pipeline: Pipeline;
  readonly origin: string;
  /** Launch-then-poll: the poll and fetch requests' origins (default: the launch's). */
  readonly pollOrigin?: string;
  readonly fetchOrigin?: string;
  readonly writer: IngestWriter;
  readonly context: PipelineRunContext;
  readonly limiter: SharedRateLimiter | null;
  readonly secrets: ReadonlyMap<string, string>;
  readonly redactor: SecretRedactor;
  readonly inputs?: Readonly<Record<string, unknown>>;
  /** With `enrich.from.dataset`: that dataset (the project's), whose rows are read instead of a table. */
  readonly dataset?: Dataset;
  /** Which rows to take; default the pipeline's `enrich.rows`. */
  readonly rows?: 'pending' | 'failed' | 'all';
}

interface EnrichState {
  readonly v: 1;
  readonly runId: string;
  readonly after: readonly IngestCell[] | null;
}

const MAX_ERROR = 500;

/**
 * The usage ledger every enrichment target gets (docs/pipelines.md#usage-and-cost): one row per
 * written batch — its day (UTC), the resource called (the rate limit's name, else the API's host),
 * the requests sent, those answered 429, those that failed otherwise, and what they cost at the
 * declared `cost_per_call` — appended in the batch's own transaction, so the figures are exactly
 * the calls behind the results the target holds (a crash loses the batch in flight and its row
 * together). The tenant column (the writer adds it) makes it per organisation.
 */
export const API_USAGE_TABLE: IngestTable = {
  name: API_USAGE_TABLE_NAME,
  key: ['run_id', 'batch'],
  columns: [
    { name: 'day', type: 'DATE' },
    { name: 'resource', type: 'VARCHAR' },
    { name: 'pipeline', type: 'VARCHAR' },
    { name: 'run_id', type: 'VARCHAR' },
    { name: 'batch', type: 'INTEGER' },
    { name: 'calls', type: 'INTEGER' },
    { name: 'throttled', type: 'INTEGER' },
    { name: 'failures', type: 'INTEGER' },
    { name: 'cost', type: 'DOUBLE' },
    { name: 'recorded_at', type: 'TIMESTAMP' },
  ],
};

export async function runEnrichPipeline(run: EnrichRunInputs): Promise<PipelineRunResult> {
  const { pipeline, writer, context, redactor } = run;
  const spec = pipeline.enrich;
  const table = pipeline.tables[0];
  if (!spec || !table) throw pipelineFailed(pipeline, 'no enrich settings');
  if (spec.from.dataset !== null && run.dataset?.id !== spec.from.dataset)
    throw pipelineFailed(pipeline, `its dataset "${spec.from.dataset}" is not in the project`);
  // Every call in flight listens for a cancel on the run's signal (and polls, and rate-limit waits).
  setMaxListeners(Math.max(getMaxListeners(context.signal), spec.concurrency * 4 + 10), context.signal);
  const mode = run.rows ?? spec.rows;
  const keyAt = table.key.map((k) => spec.from.columns.indexOf(k));
  const keyColumns = table.key.map((k) => table.columns.findIndex((c) => c.name === k));
  const resource = spec.rateLimit?.name ?? new URL(run.origin).host;
  const breakers = enrichBreakers(spec);
  const ordered = orderedColumns(table, spec.result);
  const layout = resultLayout(table, ordered);
  const publisher = new Publisher(pipeline, writer, context);
  // A run given the `keys_input` (an action widget's selection) takes only those rows.
  const only = spec.from.keysInput === undefined ? undefined : run.inputs?.[spec.from.keysInput];
  const query = (after: readonly IngestCell[] | null): IngestReadQuery => ({
    from: spec.from.table,
    ...(run.dataset ? { dataset: run.dataset } : {}),
    columns: spec.from.columns,
    key: table.key,
    ...(Array.isArray(only) ? { only: only.filter((k): k is string => typeof k === 'string') } : {}),
    after,
    results: { table: table.name, statusColumn: 'status', mode },
  });

  let total: number;
  let before: Map<string, number>;
  try {
    total = await run.writer.countRows(query(null));
    before = await writer.countBy(table.name, 'status');
  } catch (err) {
    throw pipelineFailed(pipeline, `cannot read ${spec.from.table}: ${message(err)}`, err);
  }
  const skipped =
    mode === 'pending'
      ? [...before.values()].reduce((a, b) => a + b, 0)
      : mode === 'failed'
        ? (before.get('ok') ?? 0)
        : 0;
  context.log(
    'info',
    `${total.toLocaleString('en')} rows to enrich (${mode}); ${skipped.toLocaleString('en')} skipped (already ${mode === 'failed' ? 'ok' : 'done'})`,
  );

  let after: readonly IngestCell[] | null = null;
  let ok = 0;
  let failed = 0;
  let calls = 0;
  let throttled = 0;
  let callFailures = 0;
  let written = 0;
  let batchNo = 0;
  /** The counters at the last written batch: each usage row holds what was called since. */
  let billed = { calls: 0, throttled: 0, failures: 0 };
  const started = Date.now();
  const report = () =>
    context.progress({
      done: ok + failed,
      total,
      unit: 'rows',
      failed,
      message: `${ok.toLocaleString('en')} ok · ${failed.toLocaleString('en')} failed · ${skipped.toLocaleString('en')} skipped · ${calls.toLocaleString('en')} calls (${throttled} throttled)`,
    });
  report();

  // Calls flow across batches: while one batch is written (and the next read), the workers already
  // call the next batch's rows, so the API never waits for the database. The target's connection is
  // used by one statement sequence at a time (`exclusive`); batches are written whole and in key
  // order, so the checkpoint only ever moves past rows that all have their result.
  interface Batch {
    readonly rows: readonly IngestCell[][];
    readonly results: (IngestCell[] | undefined)[];
    /** The next row to hand to a worker. */
    next: number;
    /** Rows handed out or not yet, whose call has not ended. */
    open: number;
  }
  const unwritten: Batch[] = [];
  let readCursor: readonly IngestCell[] | null = after;
  let exhausted = false;
  let reading: Promise<void> | null = null;
  let failure: unknown = null;
  let connection: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = connection.then(work);
    connection = turn.catch(() => undefined);
    return turn;
  };
  /** At most this many batches read but not yet written: memory stays bounded when writes lag. */
  const MAX_UNWRITTEN = 3;
  /** Wakes the reader waiting for room (one reader at a time). */
  let written_: () => void = () => undefined;
  const aWrite = () => new Promise<void>((resolve) => (written_ = resolve));
  const stopped = () => context.signal.aborted || failure !== null;

  const readNext = async (): Promise<void> => {
    while (unwritten.length >= MAX_UNWRITTEN && !stopped()) await aWrite();
    if (stopped()) return;
    let rows: IngestCell[][];
    try {
      rows = await exclusive(() => writer.readRows(query(readCursor), spec.batch));
    } catch (err) {
      failure ??= pipelineFailed(pipeline, `cannot read ${spec.from.table}: ${message(err)}`, err);
      return;
    }
    if (rows.length === 0) {
      exhausted = true;
      return;
    }
    const lastRow = rows[rows.length - 1] as IngestCell[];
    readCursor = keyAt.map((k) => lastRow[k] ?? null);
    unwritten.push({
      rows,
      results: new Array<IngestCell[] | undefined>(rows.length),
      next: 0,
      open: rows.length,
    });
  };
  const readAhead = () => (reading ??= readNext().finally(() => (reading = null)));

  /**
   * The next row to call; null: no more. One batch is always read ahead: when the rows being handed
   * out are the last read, the next batch is read while they are called — the workers never stand
   * still at a batch boundary waiting for a read queued behind the previous batch's write.
   */
  const take = async (): Promise<{ batch: Batch; i: number } | null> => {
    for (;;) {
      if (stopped()) return null;
      const at = unwritten.findIndex((b) => b.next < b.rows.length);
      const batch = at < 0 ? undefined : unwritten[at];
      if (batch) {
        if (at === unwritten.length - 1 && !exhausted) void readAhead();
        return { batch, i: batch.next++ };
      }
      if (exhausted) return null;
      await readAhead();
    }
  };

  /** One batch's results (all, or those finished before a cancel) with its checkpoint and usage row. */
  const writeBatch = async (batch: Batch, whole: boolean): Promise<void> => {
    const done = batch.results.filter((r): r is IngestCell[] => r !== undefined);
    const lastRow = batch.rows[batch.rows.length - 1] as IngestCell[];
    // Rows finished before a cancel are kept; the cursor moves past a batch only when it is whole.
    const cursor: readonly IngestCell[] | null = whole ? keyAt.map((k) => lastRow[k] ?? null) : after;
    if (done.length === 0 && !whole) return;
    const state: EnrichState = { v: 1, runId: context.runId, after: cursor };
    const now = { calls, throttled, failures: callFailures };
    const usage = usageRow(now, billed, ++batchNo);
    try {
      written += await exclusive(() =>
        writer.writePage(
          done.map((r) => keyColumns.map((k) => r[k] ?? null)),
          new Map([[table.name, done]]),
          pipeline.id,
          JSON.stringify(state),
          new Map([[API_USAGE_TABLE.name, usage ? [usage] : []]]),
        ),
      );
    } catch (err) {
      throw pipelineFailed(pipeline, `a batch of results could not be written: ${message(err)}`, err);
    }
    billed = now;
    after = cursor;
    publisher.wrote();
    report();
    if (!context.signal.aborted) await exclusive(() => publisher.maybe());
  };

  /** Writes the whole batches at the front, in order (one chain: never two writes at once). */
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    writing = writing.then(async () => {
      while (!stopped()) {
        const first = unwritten[0];
        if (!first || first.open > 0 || first.next < first.rows.length) return;
        try {
          await writeBatch(first, true);
        } catch (err) {
          failure ??= err;
          return;
        }
        unwritten.shift();
        written_();
      }
    });
  };

  const worker = async () => {
    for (let job = await take(); job !== null; job = await take()) {
      const { batch, i } = job;
      try {
        const outcome = await enrichRow(batch.rows[i] as IngestCell[]).catch((err: unknown) => {
          if (context.signal.aborted) return undefined; // cancelled mid-call: not written, redone next run
          throw err;
        });
        if (outcome) batch.results[i] = outcome;
      } catch (err) {
        failure ??= err;
      } finally {
        batch.open--;
      }
      if (batch.open === 0 && batch.next >= batch.rows.length) flush();
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  written_();
  await writing;
  if (failure !== null) throw failure;
  // Only after a cancel are batches left: what finished of them is kept, the cursor stays put (the
  // next run reads the rows without a result again).
  for (const batch of unwritten) await writeBatch(batch, false);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const summary = `${ok} ok, ${failed} failed, ${skipped} skipped; ${calls} calls, ${throttled} throttled (429), ${callFailures} failed calls, cost ${(calls * spec.costPerCall).toFixed(2)}`;
  if (context.signal.aborted) {
    context.log('info', `cancelled after ${seconds} s: ${summary}; the next run takes the rows left`);
    return { outcome: 'cancelled', rowsWritten: written };
  }
  if (publisher.pending) await publisher.now('final');
  context.log('info', `done in ${seconds} s: ${summary}`);
  return { outcome: 'succeeded', rowsWritten: written };

  /** The usage row of a batch: the calls since the last one written (none when nothing was sent). */
  function usageRow(now: typeof billed, last: typeof billed, batch: number): IngestCell[] | null {
    const sent = now.calls - last.calls;
    if (sent === 0) return null;
    const at = new Date().toISOString();
    return [
      at.slice(0, 10),
      resource,
      pipeline.id,
      context.runId,
      batch,
      sent,
      now.throttled - last.throttled,
      now.failures - last.failures,
      Math.round(sent * spec!.costPerCall * 1e6) / 1e6,
      at.replace('T', ' ').replace('Z', ''),
    ];
  }

  /** One row's call → its result row (key, result columns, status, error, attempts, enriched_at). */
  async function enrichRow(row: IngestCell[]): Promise<IngestCell[]> {
    const values = Object.fromEntries(spec!.from.columns.map((c, i) => [c, row[i] ?? null]));
    const key = table!.key.map((k) => values[k] ?? null);
    const stamp = timestamp();
    // The row in the result table's column order: key, result columns, then the status columns.
    const result = (
      cells: IngestCell[] | null,
      status: 'ok' | 'failed',
      error: string | null,
      attempts: number,
    ) => {
      if (status === 'ok') ok++;
      else failed++;
      const from: IngestCell[] = [...key];
      for (let i = 0; i < ordered.length; i++) from.push(cells?.[i] ?? null);
      from.push(status, error === null ? null : redactor.redact(error).slice(0, MAX_ERROR), attempts, stamp);
      return layout.map((at) => (at < 0 ? null : (from[at] ?? null)));
    };
    let request;
    try {
      request = buildRequest(spec!.request, run.origin, {
        row: values,
        input: run.inputs ?? {},
        env: run.secrets,
      });
    } catch (err) {
      if (err instanceof RequestBuildError) return result(null, 'failed', err.message, 0);
      throw err;
    }
    request.headers['idempotency-key'] = idempotencyKey(pipeline, key);
    const call = async (built: BuiltRequest) => {
      const outcome = await callApi(built, {
        spec: spec!,
        resource,
        breakers,
        limiter: run.limiter,
        signal: context.signal,
      });
      calls += outcome.sent;
      throttled += outcome.throttled;
      callFailures += outcome.failures;
      return outcome;
    };
    const launched = await call(request);
    if (!launched.ok) return result(null, 'failed', launched.error, launched.attempts);
    let body = launched.body;
    let attempts = launched.attempts;
    if (spec!.poll) {
      // Launch-then-poll: the launch answered with a job; wait for it, then read its result.
      const polled = await awaitLaunchedJob(
        launched.body,
        { row: values, input: run.inputs ?? {}, env: run.secrets },
        {
          poll: spec!.poll,
          pollOrigin: run.pollOrigin ?? run.origin,
          fetch: spec!.fetch ? { spec: spec!.fetch, origin: run.fetchOrigin ?? run.origin } : null,
          call,
          signal: context.signal,
        },
      );
      attempts += polled.attempts;
      if (!polled.ok) return result(null, 'failed', polled.error, attempts);
      body = polled.body;
    }
    const cells: IngestCell[] = [];
    for (const column of ordered) {
      const raw = readPath(body, spec!.result[column.name] as string);
      if (raw === undefined)
        return result(
          null,
          'failed',
          `the response has no "${spec!.result[column.name]}" (for ${column.name})`,
          attempts,
        );
      const value =
        typeof raw === 'object' && raw !== null && column.type === 'VARCHAR' ? JSON.stringify(raw) : raw;
      const cell = coerce(value, column.type);
      if (cell === null && raw !== null)
        return result(
          null,
          'failed',
          `the response's "${spec!.result[column.name]}" is not a ${column.type}`,
          attempts,
        );
      cells.push(cell);
    }
    return result(cells, 'ok', null, attempts);
  }
}

/**
 * Where each result-table column's value comes from in [key…, result columns…, status, error,
 * attempts, enriched_at] (-1: none, null) — worked out once per run, not with a Map per row.
 */
function resultLayout(table: PipelineTable, ordered: readonly { readonly name: string }[]): number[] {
  const status = ['status', 'error', 'attempts', 'enriched_at'];
  const base = table.key.length + ordered.length;
  return table.columns.map((c) => {
    const s = status.indexOf(c.name);
    if (s >= 0) return base + s;
    const o = ordered.findIndex((r) => r.name === c.name);
    if (o >= 0) return table.key.length + o;
    return table.key.indexOf(c.name);
  });
}

/** The row's `enriched_at` text (UTC, "YYYY-MM-DD HH:MM:SS.sss"), formatted once per millisecond. */
let lastStampMs = -1;
let lastStamp = '';
function timestamp(): string {
  const now = Date.now();
  if (now !== lastStampMs) {
    lastStampMs = now;
    lastStamp = new Date(now).toISOString().replace('T', ' ').replace('Z', '');
  }
  return lastStamp;
}

/** The result table's non-key, non-status columns in table order: what `result:` fills. */
function orderedColumns(table: PipelineTable, result: Readonly<Record<string, string>>) {
  return table.columns.filter((c) => !table.key.includes(c.name) && c.name in result);
}

/** Stable per pipeline, organisation and row: a repeated call (after a crash) is recognisably the same. */
export function idempotencyKey(pipeline: Pipeline, key: readonly IngestCell[]): string {
  return createHash('sha256')
    .update(JSON.stringify([pipeline.id, pipeline.organisation, key]))
    .digest('hex')
    .slice(0, 32);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
