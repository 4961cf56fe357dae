import path from 'node:path';
import { generateCandidates } from '../../examples/sourcing/generator/generate-candidates.js';
import { ScoringApi } from '../../examples/sourcing/stand-in/scoring-api.js';
import { createEnrichProject } from '../../test/enrichment-fixture.js';
import { verdictAtLeast, verdictAtMost, type ScenarioResult } from '../lib/report.js';
import { runPipelineCommand } from '../lib/pipeline-run.js';
import { round } from '../lib/stats.js';

const ROWS = 10_000;
const CONCURRENCY = 16;
const GOAL_ROWS_PER_SECOND = 2_000;
const GOAL_PEAK_RSS_MIB = 256;
const LATENCY_MS = 50;
/** At 50 ms per call and 16 in flight the API allows 320 rows/s; the goal is 90 % of that. */
const LATENCY_CEILING = (CONCURRENCY * 1000) / LATENCY_MS;
/**
 * The 10,000 rows at 50 ms too (31 s at the ceiling). With 3,200 (10 s) the command's fixed
 * start and end (node, the project, the target; ~1 s under load) were a tenth of the ideal time by
 * themselves: a bare loop of node:http calls against this stand-in, with no pipeline at all, took
 * 10.4–10.7 s for 3,200 calls at 16 in flight (its timer answers after ≥ 51 ms), so the 90 % could
 * not be met at that size whatever the enrichment did. `ENRICH_BENCH_LATENCY_ROWS` sets it.
 */
const LATENCY_ROWS = Number(process.env['ENRICH_BENCH_LATENCY_ROWS'] ?? ROWS);
if (!Number.isInteger(LATENCY_ROWS) || LATENCY_ROWS < 16 || LATENCY_ROWS > 100_000)
  throw new Error('ENRICH_BENCH_LATENCY_ROWS is a whole number of rows from 16 to 100,000');

/**
 * Enrichment overhead: `trellis pipeline run` of an enrich pipeline (no rate limit, concurrency 16,
 * batches of 500) over 10,000 candidates against the scoring stand-in answering at once, then 10,000
 * against the stand-in answering after 50 ms. Measured: rows per second over the whole command and
 * its peak RSS (VmHWM), and the rate within the run (its "done in" time, without the command's
 * start). The stand-in runs in this process (the load generator's core), the pipeline in its own on
 * the server's core.
 */
export async function enrichment(): Promise<ScenarioResult> {
  const fast = await measure(ROWS, 0);
  const slow = await measure(LATENCY_ROWS, LATENCY_MS);
  const slowShare = slow.perSecond / LATENCY_CEILING;
  const met =
    verdictAtLeast(fast.perSecond, GOAL_ROWS_PER_SECOND) === 'met' &&
    verdictAtMost(fast.peakMiB, GOAL_PEAK_RSS_MIB) === 'met' &&
    slowShare >= 0.9;
  return {
    scenario: 'enrichment',
    measured: `${Math.round(fast.perSecond)} rows/s (${Math.round(fast.runPerSecond)} in the run), peak RSS ${Math.round(fast.peakMiB)} MiB; at 50 ms: ${Math.round(slow.perSecond)} rows/s (${Math.round(slowShare * 100)} % of ${LATENCY_CEILING}; ${Math.round((slow.runPerSecond / LATENCY_CEILING) * 100)} % in the run)`,
    goal: `≥ ${GOAL_ROWS_PER_SECOND} rows/s, ≤ ${GOAL_PEAK_RSS_MIB} MiB; ≥ 90 % of ${LATENCY_CEILING} rows/s at 50 ms`,
    anchor: 'the enrichment must never be the bottleneck in front of an API',
    ratio: fast.perSecond / GOAL_ROWS_PER_SECOND,
    verdict: met ? 'met' : 'missed',
    details: {
      rows: ROWS,
      concurrency: CONCURRENCY,
      seconds: round(fast.seconds, 2),
      rowsPerSecond: round(fast.perSecond, 0),
      // Without the command's start (loading the project, opening the store and the target).
      runRowsPerSecond: round(fast.runPerSecond, 0),
      peakRssMiB: round(fast.peakMiB, 1),
      latencyRows: LATENCY_ROWS,
      latencySeconds: round(slow.seconds, 2),
      latencyRowsPerSecond: round(slow.perSecond, 0),
      latencyRunRowsPerSecond: round(slow.runPerSecond, 0),
      latencyShare: round(slowShare, 3),
    },
  };
}

async function measure(rows: number, latencyMs: number) {
  const key = 'bench-key';
  // No limit to hit, so the shortest window: the stand-in keeps (and filters, per call) the calls of
  // its window, which at 1 s and thousands of calls a second was stand-in CPU taken from the API's
  // side of the machine — not the enrichment's cost this scenario measures.
  const api = await ScoringApi.start({ keys: [key], limit: 1e9, windowMs: 1, latencyMs });
  try {
    const dir = await createEnrichProject(
      { a: generateCandidates(rows) },
      {
        batch: 500,
        concurrency: CONCURRENCY,
        timeout: '10s',
        retries: 2,
        backoff: '10ms',
        maxBackoff: '100ms',
      },
    );
    // The pipeline gets the server's core; the stand-in stays on the load generator's. Unpinned, the
    // two shared one core.
    const { seconds, stdout, peakMiB } = await runPipelineCommand(dir, 'screen_a', {
      SCORING_API_URL: api.url,
      SCORING_API_KEY: key,
      TRELLIS_DATA_DIR: path.join(dir, 'meta'),
    });
    if (!new RegExp(`done in [\\d.]+ s: ${rows - Math.floor(rows / 97)} ok`).test(stdout))
      throw new Error(`the run did not enrich every row:\n${stdout.split('\n').slice(-5).join('\n')}`);
    // The run's own time, from its summary line ("done in 4.2 s: …"): the rows against the API alone.
    const runSeconds = Number(/done in ([\d.]+) s:/.exec(stdout)?.[1] ?? NaN);
    return { seconds, perSecond: rows / seconds, runPerSecond: rows / runSeconds, peakMiB };
  } finally {
    await api.close();
  }
}
