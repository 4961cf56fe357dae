import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pinning } from '../lib/cpu-pinning.js';
import { runPipelineCommand } from '../lib/pipeline-run.js';
import { verdictAtLeast, verdictAtMost, type ScenarioResult } from '../lib/report.js';
import { repoRoot } from '../lib/server-process.js';
import { round } from '../lib/stats.js';
import { createPipelineProject, summarise } from '../../test/pipeline-fixture.js';

const STUDIES = 50_000;
/** The pipeline's own page size (pipelines/ctgov.yaml). */
const PAGE_SIZE = 500;
const GOAL_STUDIES_PER_SECOND = 1_000;
const GOAL_PEAK_RSS_MIB = 400;

/**
 * ClinicalTrials.gov ingestion: `trellis pipeline run` of the example's ctgov pipeline (no rate
 * limit, otherwise its own settings) against the replay server in its own process, 50,000 generated
 * studies into an empty target. Measured: studies per second over the whole command (start-up,
 * fetching, mapping, writing, checkpoints and publishes) and the command's peak RSS (VmHWM, read
 * by the process itself as it exits). The pipeline is pinned to the server's core, the replay server
 * to the load generator's. The goal: ingestion never the bottleneck at the API's own pace, and a
 * worker that fits beside a web process in a small container.
 */
export async function ingestion(): Promise<ScenarioResult> {
  const replay = spawn(
    process.execPath,
    [path.join(repoRoot, 'dist', 'bench', 'lib', 'replay-server-process.js'), '--studies', String(STUDIES)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const url = await firstLine(replay, /^listening (\S+)$/);
    const project = await createPipelineProject({
      pageSize: PAGE_SIZE,
      timeout: '60s',
      retries: 6,
      publishEveryPages: 50,
      forCli: true,
    });
    // The pipeline gets the server's core; the replay server stays on the load generator's.
    const { seconds, stdout, peakMiB } = await runPipelineCommand(project.dir, 'ctgov', {
      CTGOV_BASE_URL: url,
    });
    const studies = (await summarise(project.served, ['studies'], 'atlas'))['studies']?.rows ?? 0;
    if (studies !== STUDIES) throw new Error(`expected ${STUDIES} studies, the pipeline wrote ${studies}`);
    const perSecond = STUDIES / seconds;
    const inRun = Number(/^succeeded: \d+ rows written in ([\d.]+) s$/m.exec(stdout)?.[1] ?? NaN);
    const rows = Number(/^succeeded: (\d+) rows written/m.exec(stdout)?.[1] ?? NaN);
    return {
      scenario: 'ingestion',
      measured: `${Math.round(perSecond)} studies/s (${round(seconds, 1)} s for ${STUDIES.toLocaleString('en')}), peak RSS ${Math.round(peakMiB)} MiB`,
      goal: `≥ ${GOAL_STUDIES_PER_SECOND} studies/s, peak RSS ≤ ${GOAL_PEAK_RSS_MIB} MiB`,
      anchor: 'the API allows 1 request/s × 1,000 studies: 1,000 studies/s is its own ceiling',
      ratio: perSecond / GOAL_STUDIES_PER_SECOND,
      verdict:
        verdictAtLeast(perSecond, GOAL_STUDIES_PER_SECOND) === 'met' &&
        verdictAtMost(peakMiB, GOAL_PEAK_RSS_MIB) === 'met'
          ? 'met'
          : 'missed',
      details: {
        studies: STUDIES,
        pageSize: PAGE_SIZE,
        seconds: round(seconds, 2),
        secondsInRun: inRun,
        studiesPerSecond: round(perSecond, 0),
        rowsWritten: rows,
        rowsPerSecond: round(rows / seconds, 0),
        peakRssMiB: round(peakMiB, 1),
        pinning: pinning().note,
      },
    };
  } finally {
    replay.kill('SIGTERM');
  }
}

function firstLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(() => reject(new Error('the replay server did not start within 30 s')), 30_000);
    lines.on('line', (line) => {
      const m = pattern.exec(line);
      if (m) {
        clearTimeout(timer);
        lines.close();
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => reject(new Error(`the replay server exited (${code})`)));
  });
}
