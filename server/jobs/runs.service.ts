import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type {
  PipelineSummary,
  RunList,
  RunLogPage,
  RunSummary,
  RunTrigger,
} from '../../contract/jobs.schema.js';
import { recordAudit, type ActionContext } from '../audit/audit-log.js';
import { validateRunInputs, type RunInputValues } from '../../contract/run-inputs.js';
import { TrellisError } from '../errors.js';
import type { Database, PipelineRunsTable } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import type { TenantId } from '../policies/tenant.js';
import { parseCron } from './cron.js';
import type { PipelineInfo, PipelineRunner } from './pipeline-contract.js';
import type { Queue } from './queue.js';
import { EMPTY_PROGRESS, logLine, parseInputs, runSummary } from './run-summary.js';
import { isUniqueViolation, writeTransaction } from '../store/store-transaction.js';
import { RunPipelineTask } from './tasks/run-pipeline.task.js';

export interface StartRunOptions {
  readonly trigger: RunTrigger;
  /** The email of who asked (null: schedule, CLI). */
  readonly requestedBy: string | null;
  /** Queue behind an active run instead of refusing with PIPELINE_ALREADY_RUNNING. */
  readonly queueIfRunning?: boolean;
  /** One run per key (schedule ticks): a second start with it returns the first run. */
  readonly idempotencyKey?: string;
  /** Values for the pipeline's declared inputs, as sent (validated here). */
  readonly inputs?: unknown;
  /** Re-run the failed rows of this finished run of the pipeline, with its inputs (leave `inputs` out). */
  readonly retryFailedOf?: string;
}

export interface RunsServiceOptions {
  readonly store: Store;
  readonly queue: Queue;
  readonly pipelines: PipelineRunner;
  readonly now?: () => number;
  /** Told after every change this process makes (the event stream looks at once). */
  readonly onChange?: () => void;
}

const MAX_PAGE = 100;
/** A running run touches its row every 10 s (RunExecutor); one untouched this long has no worker. */
export const STALE_RUN_MS = 15 * 60_000;
export const MAX_LOG_PAGE = 1_000;

/**
 * Pipeline runs: start (with the per-pipeline mutex the database enforces), history, logs, cancel.
 * Everything is scoped to the caller's organisation first (its slug as a TenantId, made by
 * policies/tenant.ts from the session, or trusted from the project file for scheduled runs): another organisation's pipelines and
 * runs are not found. The work itself is done by RunExecutor through the run-pipeline task.
 */
export class RunsService {
  readonly now: () => number;
  readonly task: RunPipelineTask;

  constructor(private readonly options: RunsServiceOptions) {
    this.now = options.now ?? Date.now;
    this.task = new RunPipelineTask();
  }

  get store(): Store {
    return this.options.store;
  }

  get pipelines(): PipelineRunner {
    return this.options.pipelines;
  }

  /** The organisation's pipelines with their last and active runs and next schedule. */
  async listPipelines(organisation: TenantId): Promise<PipelineSummary[]> {
    const mine = this.options.pipelines.list().filter((p) => p.organisation === organisation);
    if (mine.length === 0) return [];
    const ids = mine.map((p) => p.id);
    const db = this.options.store.db;
    const active = await db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('pipeline_id', 'in', ids)
      .where('organisation', '=', organisation)
      .where('lock_key', 'is not', null)
      .execute();
    const last = await Promise.all(
      ids.map((id) =>
        db
          .selectFrom('pipeline_runs')
          .selectAll()
          .where('pipeline_id', '=', id)
          .where('organisation', '=', organisation)
          .where('status', 'in', ['succeeded', 'failed', 'cancelled'])
          .orderBy('queued_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst(),
      ),
    );
    const now = this.now();
    return mine.map((p, i) => {
      const a = active.find((r) => r.pipeline_id === p.id);
      const l = last[i];
      return {
        id: p.id,
        title: p.title,
        type: p.type,
        schedule: p.schedule,
        nextRunAt: nextRunAt(p, now),
        datasets: [...p.datasets],
        inputs: [...(p.inputs ?? [])],
        lastRun: l ? runSummary(l) : null,
        activeRun: a ? runSummary(a) : null,
      };
    });
  }

  /**
   * Starts a run: queued at the head (it holds the pipeline's mutex) and its job enqueued; or, when
   * one is active and `queueIfRunning`, queued behind it; else PIPELINE_ALREADY_RUNNING. The unique
   * `lock_key` column decides between simultaneous requests, whichever process they reach.
   */
  async start(
    organisation: TenantId,
    pipelineId: string,
    request: StartRunOptions,
    context: ActionContext | null,
  ): Promise<RunSummary> {
    const pipeline = this.pipeline(organisation, pipelineId);
    const retryOf =
      request.retryFailedOf === undefined ? null : await this.retryable(organisation, pipeline, request);
    const checked = validateRunInputs(
      pipeline.inputs ?? [],
      retryOf === null ? request.inputs : (parseInputs(retryOf.inputs) ?? undefined),
    );
    if (!checked.ok)
      throw new TrellisError('PIPELINE_INPUTS_INVALID', {
        message: `The inputs are not valid: ${checked.issues.map((i) => i.message).join('; ')}`.slice(
          0,
          1_000,
        ),
        issues: checked.issues,
        detail: { pipeline: pipeline.id, fields: checked.issues.map((i) => i.path) },
      });
    const inputs = (pipeline.inputs ?? []).length > 0 ? JSON.stringify(checked.values) : null;
    const key = request.idempotencyKey ?? null;
    if (key !== null) {
      const existing = await this.byKey(key);
      if (existing) return runSummary(existing);
    }
    let row: PipelineRunsTable;
    try {
      row = await writeTransaction(this.options.store, async (tx) => {
        const now = this.now();
        const base: PipelineRunsTable = {
          id: randomUUID(),
          organisation,
          pipeline_id: pipeline.id,
          status: 'queued',
          trigger: request.trigger,
          requested_by: request.requestedBy,
          idempotency_key: key,
          lock_key: pipeline.id,
          queued_at: now,
          started_at: null,
          finished_at: null,
          rows_written: 0,
          progress: JSON.stringify(EMPTY_PROGRESS),
          error_code: null,
          error_message: null,
          cancel_requested: 0,
          log_lines: 0,
          version: 1,
          updated_at: now,
          inputs,
          retry_of: retryOf?.id ?? null,
        };
        const head = await tx
          .insertInto('pipeline_runs')
          .values(base)
          .onConflict((oc) => oc.column('lock_key').doNothing())
          .returning('id')
          .executeTakeFirst();
        let created = base;
        if (!head) {
          if (!request.queueIfRunning)
            throw new TrellisError('PIPELINE_ALREADY_RUNNING', { detail: { pipeline: pipeline.id } });
          created = { ...base, lock_key: null };
          await tx.insertInto('pipeline_runs').values(created).execute();
        }
        if (context)
          await recordAudit(tx, now, context, {
            action: 'pipeline.run',
            outcome: 'success',
            target: pipeline.id,
            detail: {
              run: created.id,
              queuedBehind: created.lock_key === null,
              ...(retryOf === null ? {} : { retryFailedOf: retryOf.id }),
              ...(inputs === null
                ? {}
                : { inputs: JSON.stringify(auditedInputs(checked.values)).slice(0, 4_000) }),
            },
          });
        return created;
      });
    } catch (err) {
      // Two starts with one key at once: the other one made the run.
      if (key !== null && isUniqueViolation(err)) {
        const existing = await this.byKey(key);
        if (existing) return runSummary(existing);
      }
      throw err;
    }
    this.options.onChange?.();
    if (row.lock_key !== null) await this.enqueue(row);
    return runSummary((await this.byId(row.id)) ?? row);
  }

  async list(
    organisation: TenantId,
    pipelineId: string,
    page: { limit?: number; cursor?: string },
  ): Promise<RunList> {
    this.pipeline(organisation, pipelineId);
    const limit = Math.min(Math.max(page.limit ?? 20, 1), MAX_PAGE);
    let q = this.options.store.db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('organisation', '=', organisation)
      .where('pipeline_id', '=', pipelineId);
    if (page.cursor) {
      const c = decodeCursor(page.cursor);
      q = q.where((eb) =>
        eb.or([
          eb('queued_at', '<', c.queuedAt),
          eb.and([eb('queued_at', '=', c.queuedAt), eb('id', '<', c.id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('queued_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const more = rows.length > limit;
    const shown = rows.slice(0, limit);
    const lastRow = shown[shown.length - 1];
    return {
      runs: shown.map(runSummary),
      nextCursor: more && lastRow ? encodeCursor(Number(lastRow.queued_at), lastRow.id) : null,
    };
  }

  async get(organisation: TenantId, runId: string): Promise<RunSummary> {
    return runSummary(await this.visible(organisation, runId));
  }

  async logs(
    organisation: TenantId,
    runId: string,
    page: { after?: number; limit?: number },
  ): Promise<RunLogPage> {
    await this.visible(organisation, runId);
    const limit = Math.min(Math.max(page.limit ?? 200, 1), MAX_LOG_PAGE);
    const rows = await this.options.store.db
      .selectFrom('pipeline_run_logs')
      .select(['seq', 'at', 'level', 'message'])
      .where('run_id', '=', runId)
      .where('seq', '>', page.after ?? 0)
      .orderBy('seq')
      .limit(limit)
      .execute();
    const lines = rows.map(logLine);
    const lastLine = lines[lines.length - 1];
    return { lines, nextAfter: lines.length === limit && lastLine ? lastLine.seq : null };
  }

  /**
   * Cancels a run: a queued one ends at once; a running one is asked to stop (its worker sees the
   * flag within 250 ms and aborts the pipeline's signal). Cancelling a finished run changes nothing.
   */
  async cancel(organisation: TenantId, runId: string, context: ActionContext | null): Promise<RunSummary> {
    const run = await this.visible(organisation, runId);
    if (run.status !== 'queued' && run.status !== 'running') return runSummary(run);
    const now = this.now();
    const ended = await writeTransaction(this.options.store, async (tx) => {
      const queued = await tx
        .updateTable('pipeline_runs')
        .set((eb) => ({
          status: 'cancelled',
          cancel_requested: 1,
          finished_at: now,
          lock_key: null,
          version: eb('version', '+', 1),
          updated_at: now,
        }))
        .where('id', '=', runId)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      const endedNow = Number(queued.numUpdatedRows) === 1;
      if (!endedNow)
        await tx
          .updateTable('pipeline_runs')
          .set((eb) => ({ cancel_requested: 1, version: eb('version', '+', 1), updated_at: now }))
          .where('id', '=', runId)
          .where('status', '=', 'running')
          .execute();
      if (context)
        await recordAudit(tx, now, context, {
          action: 'run.cancel',
          outcome: 'success',
          target: runId,
          detail: { pipeline: run.pipeline_id, status: endedNow ? 'cancelled' : 'cancel_requested' },
        });
      return endedNow;
    });
    this.options.onChange?.();
    for (const listener of this.cancelListeners) listener(runId);
    if (ended && run.lock_key !== null) await this.promote(run.pipeline_id);
    return runSummary((await this.byId(runId)) ?? run);
  }

  private readonly cancelListeners = new Set<(runId: string) => void>();

  /** A worker in this process hears cancels at once (other processes poll the flag). */
  onCancel(listener: (runId: string) => void): () => void {
    this.cancelListeners.add(listener);
    return () => this.cancelListeners.delete(listener);
  }

  /**
   * Gives the pipeline's mutex to the oldest run waiting behind, if nobody holds it, and enqueues
   * that run. A concurrent start that took the mutex first simply wins (unique violation).
   */
  async promote(pipelineId: string): Promise<void> {
    const next = await this.options.store.db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('pipeline_id', '=', pipelineId)
      .where('status', '=', 'queued')
      .where('lock_key', 'is', null)
      .orderBy('queued_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!next) return;
    const now = this.now();
    try {
      const r = await this.options.store.db
        .updateTable('pipeline_runs')
        .set((eb) => ({ lock_key: pipelineId, version: eb('version', '+', 1), updated_at: now }))
        .where('id', '=', next.id)
        .where('status', '=', 'queued')
        .where('lock_key', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return;
    } catch (err) {
      if (isUniqueViolation(err)) return;
      throw err;
    }
    this.options.onChange?.();
    await this.enqueue({ ...next, lock_key: pipelineId });
  }

  /**
   * Repairs what a crash between two steps can leave behind: a queued head run without a job (the
   * enqueue is idempotent by run, so enqueueing again is safe), and waiting runs behind nobody.
   */
  async reconcile(): Promise<void> {
    const db = this.options.store.db;
    const cutoff = this.now() - 10_000;
    const heads = await db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('status', '=', 'queued')
      .where('lock_key', 'is not', null)
      .where('updated_at', '<', cutoff)
      .limit(100)
      .execute();
    for (const run of heads) await this.enqueue(run);
    const waiting = await db
      .selectFrom('pipeline_runs')
      .select('pipeline_id')
      .distinct()
      .where('status', '=', 'queued')
      .where('lock_key', 'is', null)
      .limit(100)
      .execute();
    for (const { pipeline_id } of waiting) await this.promote(pipeline_id);
    // Runs whose workers all died, so often that the job ran out of attempts (or nobody came back
    // for a quarter of an hour): failed, so the pipeline is free again; the next run resumes from
    // the pipeline's checkpoint. Should a worker take the job after all, it finds the run finished.
    const stale = await db
      .selectFrom('pipeline_runs')
      .select('id')
      .where('status', '=', 'running')
      .where('updated_at', '<', this.now() - STALE_RUN_MS)
      .limit(100)
      .execute();
    for (const { id } of stale)
      await this.finish(id, {
        status: 'failed',
        error: { code: 'PIPELINE_FAILED', message: 'The worker running it stopped and it was not resumed.' },
      });
  }

  /** Finishes a run (only one that is still queued or running) and hands the mutex on. */
  async finish(
    runId: string,
    outcome: {
      status: 'succeeded' | 'failed' | 'cancelled';
      rowsWritten?: number;
      error?: { code: string; message: string };
    },
  ): Promise<void> {
    const now = this.now();
    const run = await this.byId(runId);
    if (!run) return;
    const r = await this.options.store.db
      .updateTable('pipeline_runs')
      .set((eb) => ({
        status: outcome.status,
        finished_at: now,
        lock_key: null,
        ...(outcome.rowsWritten === undefined ? {} : { rows_written: outcome.rowsWritten }),
        error_code: outcome.error?.code ?? null,
        error_message: outcome.error?.message ?? null,
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', runId)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    this.options.onChange?.();
    if (Number(r.numUpdatedRows) === 1) await this.promote(run.pipeline_id);
  }

  /** The pipeline, if it belongs to the organisation; else PIPELINE_NOT_FOUND (tenant first). */
  pipeline(organisation: TenantId, pipelineId: string): PipelineInfo {
    const p = this.options.pipelines.list().find((x) => x.id === pipelineId);
    if (!p || p.organisation !== organisation)
      throw new TrellisError('PIPELINE_NOT_FOUND', { detail: { pipeline: pipelineId } });
    return p;
  }

  /**
   * The run whose failed rows a new run re-runs: the organisation's, of this pipeline (else
   * RUN_NOT_FOUND, as for any run it cannot see), finished, of an enrich pipeline; its inputs are
   * the new run's, so none may be sent with it.
   */
  private async retryable(
    organisation: TenantId,
    pipeline: PipelineInfo,
    request: StartRunOptions,
  ): Promise<PipelineRunsTable> {
    const source = await this.visible(organisation, request.retryFailedOf ?? '');
    if (source.pipeline_id !== pipeline.id)
      throw new TrellisError('RUN_NOT_FOUND', { detail: { run: source.id } });
    if (pipeline.type !== 'enrich' || !['succeeded', 'failed', 'cancelled'].includes(source.status))
      throw new TrellisError('RUN_NOT_RETRYABLE', {
        detail: { run: source.id, status: source.status, type: pipeline.type },
      });
    if (request.inputs !== undefined) {
      const issues = [{ path: 'inputs', message: 'a retry takes the inputs of the run it retries' }];
      throw new TrellisError('PIPELINE_INPUTS_INVALID', {
        message: `The inputs are not valid: ${issues[0]?.message}`,
        issues,
        detail: { pipeline: pipeline.id, fields: ['inputs'] },
      });
    }
    return source;
  }

  byId(runId: string, db: Kysely<Database> = this.options.store.db): Promise<PipelineRunsTable | undefined> {
    return db.selectFrom('pipeline_runs').selectAll().where('id', '=', runId).executeTakeFirst();
  }

  private byKey(key: string): Promise<PipelineRunsTable | undefined> {
    return this.options.store.db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }

  private async visible(organisation: TenantId, runId: string): Promise<PipelineRunsTable> {
    const run = runId.length <= 100 ? await this.byId(runId) : undefined;
    if (!run || run.organisation !== organisation)
      throw new TrellisError('RUN_NOT_FOUND', { detail: { run: runId.slice(0, 100) } });
    return run;
  }

  private async enqueue(run: PipelineRunsTable): Promise<void> {
    try {
      await this.task.enqueue(this.options.queue, { runId: run.id }, { idempotencyKey: `run:${run.id}` });
    } catch (err) {
      // A run that cannot be queued must not hold the pipeline's mutex.
      if (err instanceof TrellisError && err.code === 'QUEUE_FULL')
        await this.finish(run.id, { status: 'failed', error: { code: err.code, message: err.message } });
      throw err;
    }
  }
}

/** The inputs as the audit log keeps them: whole, except long key lists (their count and first ten). */
function auditedInputs(values: RunInputValues): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) =>
      Array.isArray(v) && v.length > 10 ? [k, { count: v.length, first: v.slice(0, 10) }] : [k, v],
    ),
  );
}

function nextRunAt(p: PipelineInfo, now: number): string | null {
  if (!p.schedule) return null;
  try {
    const next = parseCron(p.schedule).next(now);
    return next === null ? null : new Date(next).toISOString();
  } catch {
    // The pipelines loader reports a bad expression at start; a summary just shows no next run.
    return null;
  }
}

function encodeCursor(queuedAt: number, id: string): string {
  return Buffer.from(`${queuedAt}:${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { queuedAt: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([0-9a-f-]{36})$/.exec(text);
  if (!m) throw new TrellisError('VALIDATION_FAILED', { message: 'The cursor is not valid.' });
  return { queuedAt: Number(m[1]), id: m[2] ?? '' };
}
