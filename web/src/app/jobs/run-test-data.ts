import type { RunSummary } from '../../../../contract/index.js';

/** A run for the tests: running, manual, nothing done yet; `patch` changes what a test is about. */
export function runFixture(patch: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 'r1',
    pipelineId: 'ctgov',
    status: 'running',
    trigger: 'manual',
    requestedBy: 'ed@atlas.example',
    queuedAt: '2026-01-05T12:00:00Z',
    startedAt: '2026-01-05T12:00:01Z',
    finishedAt: null,
    durationMs: null,
    rowsWritten: 0,
    cancelRequested: false,
    progress: { done: 0, total: null, unit: 'pages', ratePerSecond: null, etaSeconds: null, message: null },
    error: null,
    inputs: null,
    retryOf: null,
    ...patch,
  };
}
