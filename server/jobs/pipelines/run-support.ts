import { TrellisError } from '../../errors.js';
import type { Pipeline } from '../../config/project/pipeline.types.js';
import { openIngestWriter } from '../../query/engines/index.js';
import {
  IngestSchemaError,
  type IngestTable,
  type IngestTarget,
  type IngestWriter,
} from '../../query/ingest-writer.js';
import { serverKindOfUrl } from '../../query/source-url.js';
import type { PipelineRunContext } from '../pipeline-contract.js';

/** pino-compatible: the worker's logger, or a console writer in the CLI. */
export interface PipelineLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** DuckDB settings of the ingest connection: bounded memory keeps the worker small beside the web process. */
export interface IngestSettings {
  readonly memoryLimit: string;
  readonly threads: number;
}

/** AppConfig.ingest's defaults (TRELLIS_INGEST_MEMORY, TRELLIS_INGEST_THREADS). */
export const DEFAULT_INGEST_SETTINGS: IngestSettings = { memoryLimit: '128MB', threads: 1 };

export function pipelineFailed(pipeline: Pipeline, message: string, cause?: unknown): TrellisError {
  return new TrellisError('PIPELINE_FAILED', {
    message: `Pipeline ${pipeline.id}: ${message}`,
    detail: { pipeline: pipeline.id },
    ...(cause === undefined ? {} : { cause }),
  });
}

export function limitReached(pipeline: Pipeline, message: string): TrellisError {
  return new TrellisError('PIPELINE_LIMIT_REACHED', {
    message: `Pipeline ${pipeline.id}: ${message}`,
    detail: { pipeline: pipeline.id },
  });
}

/**
 * Where a run writes: the target's ingest file, or — when the source's `server_url_env` is set where
 * the run starts (the same variable moves the served source, engines/index.ts) — that server.
 */
export function ingestTargetOf(
  pipeline: Pipeline,
  settings: IngestSettings,
  environment: Readonly<Record<string, string>>,
): IngestTarget {
  const urlEnv = pipeline.target.serverUrlEnv;
  const server = urlEnv ? serverKindOfUrl(urlEnv, environment) : undefined;
  if (urlEnv && server) return { kind: server, url: (environment[urlEnv] ?? '').trim() };
  return {
    kind: 'duckdb',
    ingestFile: pipeline.target.ingestFile,
    servedFile: pipeline.target.file,
    dataDir: pipeline.target.dataDir,
    memoryLimit: settings.memoryLimit,
    threads: settings.threads,
  };
}

export async function openWriter(
  pipeline: Pipeline,
  settings: IngestSettings,
  context: PipelineRunContext,
  environment: Readonly<Record<string, string>> = {},
  ledgers: readonly IngestTable[] = [],
): Promise<IngestWriter> {
  try {
    const target = ingestTargetOf(pipeline, settings, environment);
    if (target.kind !== 'duckdb')
      context.log('info', `writing to the ${target.kind} server of ${pipeline.target.serverUrlEnv}`);
    const { writer, rebuilt } = await openIngestWriter({
      target,
      tables: pipeline.tables,
      ledgers,
      tenantColumn: pipeline.tenantColumn,
      tenant: pipeline.organisation,
    });
    if (rebuilt) context.log(rebuilt.startsWith('first run') ? 'info' : 'warn', rebuilt);
    return writer;
  } catch (err) {
    if (err instanceof IngestSchemaError) throw pipelineFailed(pipeline, err.message, err);
    const message = err instanceof Error ? err.message : String(err);
    if (/lock/i.test(message))
      throw pipelineFailed(pipeline, 'its ingest file is in use by another process (another run?)', err);
    throw pipelineFailed(pipeline, `cannot open its ingest file: ${message}`, err);
  }
}

/**
 * Publishing: when due (every `publish_every` pages or seconds) and at the end of every run, the
 * writer makes what it committed visible to readers at once (DuckDB: the ingest file replaces the
 * served one atomically), and the job system is told which datasets changed.
 */
export class Publisher {
  private pagesSince = 0;
  private lastAt = Date.now();

  constructor(
    private readonly pipeline: Pipeline,
    private readonly writer: IngestWriter,
    private readonly context: PipelineRunContext,
  ) {}

  /** A page (or batch) was committed. */
  wrote(): void {
    this.pagesSince++;
  }

  get pending(): boolean {
    return this.pagesSince > 0;
  }

  async maybe(): Promise<void> {
    const { pages, seconds } = this.pipeline.publishEvery;
    if (!this.pending) return;
    if (
      (pages !== null && this.pagesSince >= pages) ||
      (seconds !== null && Date.now() - this.lastAt >= seconds * 1000)
    )
      await this.now('checkpoint');
  }

  async now(why: 'checkpoint' | 'final'): Promise<void> {
    const started = Date.now();
    await this.writer.publish();
    this.pagesSince = 0;
    this.lastAt = Date.now();
    this.context.log(
      'info',
      `published ${why === 'final' ? 'the run' : 'a checkpoint'} in ${Date.now() - started} ms`,
    );
    await this.context.published(this.pipeline.datasets);
  }
}

/** Logs the first few skipped items, then only counts them (a bad source must not flood the run log). */
export class SkipLog {
  private count = 0;
  constructor(
    private readonly context: PipelineRunContext,
    private readonly limit = 10,
  ) {}
  add(page: number, reason: string): void {
    this.count++;
    if (this.count <= this.limit) this.context.log('warn', `page ${page}: an item was skipped: ${reason}`);
  }
  get total(): number {
    return this.count;
  }
}
