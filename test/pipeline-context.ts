import type { PipelineProgress, PipelineRunContext } from '../server/jobs/pipeline-contract.js';
import type { PipelineLogger } from '../server/jobs/pipelines/run-support.js';
import { mapStudy, TABLE_NAMES } from '../examples/clinical-trials/transforms/ctgov-study.js';
import type { CtgovReplayServer } from './ctgov-replay-server.js';

/** A run context that records what a pipeline run reports, as the job system would receive it. */
export interface RecordingContext extends PipelineRunContext {
  readonly progressSeen: PipelineProgress[];
  readonly logs: { level: string; message: string }[];
  readonly publishedSeen: (readonly string[])[];
  readonly controller: AbortController;
}

export function recordingContext(
  runId = 'run-1',
  onProgress?: (p: PipelineProgress, ctx: RecordingContext) => void,
): RecordingContext {
  const controller = new AbortController();
  const ctx: RecordingContext = {
    runId,
    trigger: 'manual',
    signal: controller.signal,
    controller,
    progressSeen: [],
    logs: [],
    publishedSeen: [],
    progress(p) {
      ctx.progressSeen.push(p);
      onProgress?.(p, ctx);
    },
    log(level, message) {
      ctx.logs.push({ level, message });
    },
    published(datasets) {
      ctx.publishedSeen.push(datasets);
      return Promise.resolve();
    },
  };
  return ctx;
}

export const silentLogger: PipelineLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** What the tables must hold after every study of the server went through mapStudy once. */
export function expectedCounts(server: CtgovReplayServer): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(TABLE_NAMES.map((t) => [t, 0]));
  for (let i = 0; i < server.studies; i++) {
    const m = mapStudy(server.study(i));
    if (!m.ok) continue;
    for (const t of TABLE_NAMES) counts[t] = (counts[t] ?? 0) + m.tables[t].length;
  }
  return counts;
}
