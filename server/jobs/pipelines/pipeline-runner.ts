import type { Pipeline } from '../../config/project/pipeline.types.js';
import type { Project } from '../../config/project/project.types.js';
import { isTrellisError } from '../../errors.js';
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

export interface PipelineRunnerOptions {
  readonly project: Project;
  /** The environment snapshot (AppConfig.environment): `url_env` overrides of pipeline URLs. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logger: PipelineLogger;
  readonly ingest?: IngestSettings;
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
  });

  async function runNow(pipeline: Pipeline, context: PipelineRunContext): Promise<PipelineRunResult> {
    const log = (level: 'info' | 'warn' | 'error', message: string) => {
      logger[level]({ pipeline: pipeline.id, runId: context.runId }, message);
      context.log(level, message);
    };
    const ctx: PipelineRunContext = {
      ...context,
      log,
      progress: (p) => context.progress(p),
      published: (d) => context.published(d),
    };
    const mapper = pipeline.type === 'http' ? await loadMapper(pipeline, project.dir) : null;
    const writer = await openWriter(pipeline, settings, ctx);
    try {
      if (pipeline.type === 'file') return await runFilePipeline(pipeline, writer, ctx);
      const http = pipeline.http;
      if (!http || !mapper) throw pipelineFailed(pipeline, 'no http settings');
      const override = http.urlEnv ? environment[http.urlEnv] : undefined;
      const baseUrl = override && override.trim() !== '' ? override.trim() : http.url;
      if (!/^https?:\/\//.test(baseUrl))
        throw pipelineFailed(pipeline, `${http.urlEnv ?? 'url'} must be an http(s) URL`);
      if (baseUrl !== http.url) log('info', `fetching from ${http.urlEnv} (${new URL(baseUrl).origin})`);
      return await runHttpPipeline({ pipeline, baseUrl, writer, mapper, context: ctx });
    } catch (err) {
      if (isTrellisError(err)) log('error', err.message);
      else log('error', `unexpected error: ${err instanceof Error ? err.message : String(err)}`);
      throw isTrellisError(err)
        ? err
        : pipelineFailed(pipeline, err instanceof Error ? err.message : String(err), err);
    } finally {
      await writer.close();
    }
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
