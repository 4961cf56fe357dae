import type { Pipeline } from '../../config/project/pipeline.types.js';
import type { Project } from '../../config/project/project.types.js';
import { validateRunInputs } from '../../../contract/run-inputs.js';
import { isTrellisError, TrellisError } from '../../errors.js';
import type {
  PipelineInfo,
  PipelineRunContext,
  PipelineRunResult,
  PipelineRunner,
} from '../pipeline-contract.js';
import { runFilePipeline } from './file-pipeline-run.js';
import { runHttpPipeline } from './http-pipeline-run.js';
import {
  DEFAULT_INGEST_SETTINGS,
  openWriter,
  pipelineFailed,
  type IngestSettings,
  type PipelineLogger,
} from './run-support.js';
import { loadMapper } from './transform-module.js';
import type { SharedRateLimiter } from '../coordination/shared-rate-limiter.js';
import type { ResourceLocks } from '../coordination/resource-locks.js';
import { API_USAGE_TABLE, runEnrichPipeline } from './enrich-pipeline-run.js';
import { renderText } from './request-builder.js';
import { resolveSecrets, SecretRedactor } from './secret-redactor.js';

/** What runs share across processes and instances: named rate limits and resource locks (metadata store). */
export interface PipelineCoordination {
  readonly limiter: SharedRateLimiter;
  readonly locks: ResourceLocks;
}

export interface PipelineRunnerOptions {
  readonly project: Project;
  /** The environment snapshot (AppConfig.environment): `url_env` overrides of pipeline URLs. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logger: PipelineLogger;
  readonly ingest?: IngestSettings;
  /** Without it, `rate_limit:` names and `lock:` cannot be honoured: such pipelines refuse to run. */
  readonly coordination?: PipelineCoordination;
}

/**
 * What a pipeline run does, for the job system (pipeline-contract.ts): the project's
 * `pipelines/*.yaml`, each run fetching, mapping, writing page by page with its checkpoint, and
 * publishing. Runs of pipelines that write the same file take turns in this process (the ingest
 * file has one writer); across processes DuckDB's file lock refuses the second (PIPELINE_FAILED).
 */
export function createPipelineRunner(options: PipelineRunnerOptions): PipelineRunner {
  const { project, environment, logger } = options;
  const settings = options.ingest ?? DEFAULT_INGEST_SETTINGS;
  const turns = new Map<string, Promise<unknown>>();

  const info = (p: Pipeline): PipelineInfo => ({
    id: p.id,
    title: p.title,
    type: p.type,
    organisation: p.organisation,
    schedule: p.schedule,
    datasets: p.datasets,
    inputs: p.inputs,
  });

  async function runNow(pipeline: Pipeline, context: PipelineRunContext): Promise<PipelineRunResult> {
    // Secrets are resolved first, so that everything the run says from here on is redacted.
    let redactor = SecretRedactor.none;
    const log = (level: 'info' | 'warn' | 'error', message: string) => {
      const safe = redactor.redact(message);
      logger[level]({ pipeline: pipeline.id, runId: context.runId }, safe);
      context.log(level, safe);
    };
    const redactedError = (err: unknown): TrellisError => {
      const e = isTrellisError(err)
        ? err
        : pipelineFailed(pipeline, err instanceof Error ? err.message : String(err), err);
      const safe = redactor.redact(e.message);
      if (safe === e.message) return e;
      // The cause may hold the secret too (an API's error body): it is dropped with the message.
      return new TrellisError(e.code, { message: safe, detail: { pipeline: pipeline.id } });
    };
    let secrets: Map<string, string>;
    try {
      secrets = resolveSecrets(pipeline, environment);
    } catch (err) {
      log('error', err instanceof Error ? err.message : String(err));
      throw err;
    }
    redactor = new SecretRedactor(secrets);
    // Checked again here: a run from the CLI, or one stored before the file's inputs changed.
    const checked = validateRunInputs(pipeline.inputs, context.inputs ?? {});
    if (!checked.ok) {
      const message = `The inputs are not valid: ${checked.issues.map((i) => i.message).join('; ')}`;
      log('error', message);
      throw new TrellisError('PIPELINE_INPUTS_INVALID', {
        message: message.slice(0, 1_000),
        issues: checked.issues,
        detail: { pipeline: pipeline.id },
      });
    }
    const inputs = checked.values;
    const ctx: PipelineRunContext = {
      ...context,
      log,
      progress: (p) => context.progress(p.message ? { ...p, message: redactor.redact(p.message) } : p),
      published: (d) => context.published(d),
    };
    const coordination = options.coordination;
    if ((pipeline.lock || pipeline.enrich?.rateLimit) && !coordination)
      throw pipelineFailed(
        pipeline,
        'its lock or shared rate limit needs the metadata store, which this process has not opened',
      );
    let held: Awaited<ReturnType<NonNullable<typeof coordination>['locks']['acquire']>> | null = null;
    let runContext = ctx;
    if (pipeline.lock && coordination) {
      const spec = pipeline.lock;
      held = await coordination.locks.acquire(spec, context.runId, context.signal, (position) => {
        log('info', `waiting for the lock "${spec.name}": position ${position} in line`);
        ctx.progress({
          done: 0,
          total: null,
          unit: 'rows',
          message: `waiting for the lock "${spec.name}" (position ${position})`,
        });
      });
      log('info', `holding the lock "${spec.name}"`);
      const lostOrStopped = AbortSignal.any([context.signal, held.lost]);
      runContext = { ...ctx, signal: lostOrStopped };
    }
    try {
      const mapper = pipeline.type === 'http' ? await loadMapper(pipeline, project.dir) : null;
      const writer = await openWriter(
        pipeline,
        settings,
        runContext,
        environment,
        pipeline.type === 'enrich' ? [API_USAGE_TABLE] : [],
      );
      try {
        if (pipeline.type === 'file') return await runFilePipeline(pipeline, writer, runContext);
        if (pipeline.type === 'enrich') {
          const request = pipeline.enrich?.request;
          if (!request) throw pipelineFailed(pipeline, 'no enrich settings');
          const origin = originOf(pipeline, request.url, request.urlEnv, log);
          const { poll, fetch, from } = pipeline.enrich ?? {};
          const dataset = from?.dataset ? project.datasets.get(from.dataset) : undefined;
          const result = await runEnrichPipeline({
            pipeline,
            origin,
            ...(poll ? { pollOrigin: originOf(pipeline, poll.request.url, poll.request.urlEnv, log) } : {}),
            ...(fetch ? { fetchOrigin: originOf(pipeline, fetch.url, fetch.urlEnv, log) } : {}),
            writer,
            context: runContext,
            limiter: coordination?.limiter ?? null,
            secrets,
            redactor,
            inputs,
            ...(dataset ? { dataset } : {}),
            ...(context.rows ? { rows: context.rows } : {}),
          });
          if (held?.lost.aborted) throw held.lost.reason;
          return result;
        }
        const http = pipeline.http;
        if (!http || !mapper) throw pipelineFailed(pipeline, 'no http settings');
        const override = http.urlEnv ? environment[http.urlEnv] : undefined;
        const baseUrl = override && override.trim() !== '' ? override.trim() : http.url;
        if (!/^https?:\/\//.test(baseUrl))
          throw pipelineFailed(pipeline, `${http.urlEnv ?? 'url'} must be an http(s) URL`);
        if (baseUrl !== http.url) log('info', `fetching from ${http.urlEnv} (${new URL(baseUrl).origin})`);
        const values = { row: {}, input: inputs, env: secrets };
        const headers = Object.fromEntries(
          Object.entries(http.headers).map(([k, v]) => [k, renderText(v, values)]),
        );
        const result = await runHttpPipeline({
          pipeline,
          baseUrl,
          writer,
          mapper,
          context: runContext,
          headers,
        });
        if (held?.lost.aborted) throw held.lost.reason;
        return result;
      } catch (err) {
        const safe = redactedError(err);
        if (isTrellisError(err)) log('error', safe.message);
        else log('error', `unexpected error: ${safe.message}`);
        throw safe;
      } finally {
        await writer.close();
      }
    } finally {
      await held
        ?.release()
        .catch((err: unknown) =>
          log(
            'warn',
            `releasing the lock failed (it expires by itself): ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
    }
  }

  /** The request's origin: the file's, or `url_env`'s (origin only; the path stays the file's). */
  function originOf(
    pipeline: Pipeline,
    url: string,
    urlEnv: string | null,
    log: (level: 'info', message: string) => void,
  ): string {
    const override = urlEnv ? environment[urlEnv]?.trim() : undefined;
    if (override) {
      if (!/^https?:\/\//.test(override)) throw pipelineFailed(pipeline, `${urlEnv} must be an http(s) URL`);
      const origin = new URL(override).origin;
      log('info', `calling ${origin} (${urlEnv})`);
      return origin;
    }
    return new URL(url.replace(/\$\{[^}]*\}/g, 'x')).origin;
  }

  return {
    list: () => [...project.pipelines.values()].map(info),
    run(pipelineId, context) {
      const pipeline = project.pipelines.get(pipelineId);
      if (!pipeline) return Promise.reject(new Error(`No pipeline "${pipelineId}" in this project.`));
      const target = pipeline.target.ingestFile;
      const before = turns.get(target) ?? Promise.resolve();
      const mine = before.catch(() => undefined).then(() => runNow(pipeline, context));
      const settled = mine.catch(() => undefined);
      turns.set(target, settled);
      void settled.then(() => {
        if (turns.get(target) === settled) turns.delete(target);
      });
      return mine;
    },
  };
}
