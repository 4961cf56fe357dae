import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/env.js';
import { loadProject } from '../config/project/load-project.js';
import { formatProblem } from '../config/project/project.types.js';
import { isTrellisError } from '../errors.js';
import type { PipelineRunContext } from '../jobs/pipeline-contract.js';
import { createPipelineRunner } from '../jobs/pipelines/pipeline-runner.js';
import type { PipelineLogger } from '../jobs/pipelines/run-support.js';
import { describeInputs, parseCliInputs, splitInputFlags } from './cli-run-inputs.js';
import { storeForProject } from './metadata-location.js';

export const PIPELINE_USAGE = `  pipeline list DIR
               The project's pipelines (id, type, organisation, schedule)
  pipeline run DIR ID [--rows=pending|failed|all] [--input NAME=VALUE]…
               Run a pipeline once, here and now (no queue): progress lines on stdout; Ctrl-C stops it
               at the next page (the next run resumes there); exit 1 with the error if it fails.
               --rows (enrich pipelines): only rows without a result (default), only failed ones, or all
               --input: a value of one of the pipeline's declared inputs (checked as the API checks
               them; exit 2 with one line per problem); a list input takes a,b,c or repeats
`;

export interface PipelineCliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** SIGINT/SIGTERM cancel the run cooperatively (the default: this process's signals). */
  readonly onStop?: (stop: () => void) => () => void;
}

const quiet: PipelineLogger = { info: () => {}, warn: () => {}, error: () => {} };

function processSignals(stop: () => void): () => void {
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

/** `trellis pipeline list|run …`: exit 0 on success, 1 on failure, 2 on usage errors, 130 when stopped. */
export async function pipelineCommand(
  allArgs: string[],
  config: AppConfig,
  io: PipelineCliIo,
): Promise<number> {
  // `--input NAME=VALUE` takes the next word: taken out first, so it is not read as DIR or ID.
  const flags = splitInputFlags(allArgs);
  const argv = flags.rest;
  const [sub, dir, id] = argv.filter((a) => !a.startsWith('-'));
  const usage = (why: string) => {
    io.stderr.write(`trellis pipeline: ${why}\nUsage:\n${PIPELINE_USAGE}`);
    return 2;
  };
  if (sub !== 'list' && sub !== 'run')
    return usage(sub ? `unknown subcommand "${sub}"` : 'name a subcommand');
  if (!dir) return usage('name the project folder');
  if (flags.missingValue) return usage('--input needs NAME=VALUE');
  if (sub === 'list' && flags.inputs.length > 0) return usage('--input is for pipeline run');
  const loaded = await loadProject(dir);
  if (!loaded.ok) {
    for (const p of loaded.problems) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write(`${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'} found.\n`);
    return 1;
  }
  const project = loaded.project;
  if (sub === 'list') {
    for (const p of project.pipelines.values())
      io.stdout.write(`${p.id}\t${p.type}\t${p.organisation}\t${p.schedule ?? '-'}\t${p.title}\n`);
    return 0;
  }
  if (!id) return usage('name the pipeline to run');
  const rowsFlag = argv.find((a) => a.startsWith('--rows='))?.slice('--rows='.length);
  if (rowsFlag !== undefined && !['pending', 'failed', 'all'].includes(rowsFlag))
    return usage(`--rows is pending, failed or all, not "${rowsFlag}"`);
  const rows = rowsFlag as 'pending' | 'failed' | 'all' | undefined;
  if (!project.pipelines.has(id)) {
    io.stderr.write(
      `trellis pipeline: no pipeline "${id}" in ${project.name} (have: ${[...project.pipelines.keys()].join(', ') || 'none'})\n`,
    );
    return 1;
  }
  // Shared rate limits and locks live in the metadata store: the same one the server's workers use.
  const pipeline = project.pipelines.get(id);
  const specs = pipeline?.inputs ?? [];
  // Only when given: without --input the runner checks the defaults (and names a missing required one).
  const inputs = flags.inputs.length > 0 ? parseCliInputs(specs, flags.inputs) : null;
  if (inputs && !inputs.ok) {
    for (const p of inputs.problems) io.stderr.write(`trellis pipeline: ${p}\n`);
    io.stderr.write(`trellis pipeline: ${id}: ${describeInputs(specs)}\n`);
    return 2;
  }
  // Loaded only then (kysely, the store's drivers, ioredis): a run without them starts sooner.
  const store =
    pipeline?.lock || pipeline?.enrich?.rateLimit
      ? await (await import('../store/store.js')).openStore(storeForProject(config.store, dir))
      : null;
  // Redis when TRELLIS_REDIS_URL is set, as the server's workers do, so both meet in one place.
  const coordination = store
    ? await (
        await import('../jobs/coordination/open-coordination.js')
      ).openCoordination(store, config.jobs.redisUrl)
    : null;
  const runner = createPipelineRunner({
    project,
    environment: config.environment,
    logger: quiet,
    ingest: config.ingest,
    ...(coordination ? { coordination } : {}),
  });
  const controller = new AbortController();
  const detach = (io.onStop ?? processSignals)(() => {
    io.stdout.write('stopping after the current page…\n');
    controller.abort();
  });
  const started = Date.now();
  const context: PipelineRunContext = {
    runId: randomUUID(),
    trigger: 'cli',
    ...(rows ? { rows } : {}),
    ...(inputs?.ok ? { inputs: inputs.values } : {}),
    signal: controller.signal,
    progress: (p) =>
      io.stdout.write(
        `progress ${p.done}${p.total !== null && p.total !== undefined ? `/${p.total}` : ''} ${p.unit}${p.message ? ` — ${p.message}` : ''}\n`,
      ),
    log: (level, message) => io.stdout.write(`${level === 'info' ? '' : `${level}: `}${message}\n`),
    published: (datasets) => {
      io.stdout.write(`published (datasets: ${datasets.join(', ') || 'none'})\n`);
      return Promise.resolve();
    },
  };
  try {
    const result = await runner.run(id, context);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.stdout.write(`${result.outcome}: ${result.rowsWritten} rows written in ${seconds} s\n`);
    return result.outcome === 'succeeded' ? 0 : 130;
  } catch (err) {
    const code = isTrellisError(err) ? err.code : 'INTERNAL';
    io.stderr.write(`trellis pipeline: ${code}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    detach();
    await coordination?.close();
    await store?.close();
  }
}
