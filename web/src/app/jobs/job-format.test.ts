import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../../contract/index.js';
import {
  formatDuration,
  formatEta,
  formatProgress,
  formatRate,
  progressPercent,
  runElapsedMs,
  runFinishedToast,
  runStatusLabel,
} from './job-format.js';
import { refreshingPipelines } from './refreshing.js';
import { runFixture } from './run-test-data.js';

describe('durations', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [999.4, '999 ms'],
    [999.6, '1.0 s'],
    [1000, '1.0 s'],
    [12_449, '12.4 s'],
    [59_940, '59.9 s'],
    [60_000, '1 min 00 s'],
    [185_000, '3 min 05 s'],
    [3_599_999, '59 min 59 s'],
    [3_600_000, '1 h 00 min'],
    [7_620_000, '2 h 07 min'],
    [90 * 3_600_000, '90 h 00 min'],
  ])('%d ms reads "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('has a dash for no duration, a negative or a non-number', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });

  it('counts a running run from its start, and uses the server’s duration once finished', () => {
    const now = new Date('2026-01-05T12:00:31Z');
    expect(runElapsedMs(runFixture(), now)).toBe(30_000);
    expect(runElapsedMs(runFixture({ durationMs: 1234 }), now)).toBe(1234);
    expect(runElapsedMs(runFixture({ startedAt: null, status: 'queued' }), now)).toBeNull();
    // A browser clock behind the server's never shows a negative time.
    expect(runElapsedMs(runFixture(), new Date('2026-01-05T11:59:00Z'))).toBe(0);
  });
});

describe('time left', () => {
  it.each([
    [null, 'estimating time left…'],
    [-5, 'estimating time left…'],
    [0, 'finishing…'],
    [0.4, 'finishing…'],
    [1, 'less than a minute left'],
    [59.9, 'less than a minute left'],
    [60, 'about 1 min left'],
    // Rounded up: "about 2 min" that takes three reads as broken.
    [61, 'about 2 min left'],
    [3540, 'about 59 min left'],
    [3541, 'about 1 h left'],
    [3600, 'about 1 h left'],
    [3601, 'about 1 h 1 min left'],
    [5 * 3600 + 30 * 60, 'about 5 h 30 min left'],
  ])('%s s reads "%s"', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });
});

describe('rates', () => {
  it.each([
    [null, '—'],
    [0, '0 pages/s'],
    [1250.4, '1,250 pages/s'],
    [10, '10 pages/s'],
    [3.45, '3.5 pages/s'],
    [2, '2 pages/s'],
    // Below one per second, per minute reads better (a rate-limited API).
    [0.5, '30 pages/min'],
    [0.1, '6 pages/min'],
    [0.025, '1.5 pages/min'],
    [0.001, 'under 1 pages/min'],
  ])('%s/s reads "%s"', (rate, text) => {
    expect(formatRate(rate, 'pages', 'en-US')).toBe(text);
  });
});

describe('progress', () => {
  it('is a percentage of a known total, clamped, and null while the total is unknown', () => {
    expect(progressPercent({ done: 25, total: 100 })).toBe(25);
    expect(progressPercent({ done: 0, total: 50 })).toBe(0);
    expect(progressPercent({ done: 120, total: 100 })).toBe(100);
    expect(progressPercent({ done: 3, total: null })).toBeNull();
    expect(progressPercent({ done: 0, total: 0 })).toBeNull();
  });

  it('reads done of total with its unit', () => {
    expect(formatProgress({ done: 1200, total: 5000, unit: 'pages' }, 'en-US')).toBe('1,200 of 5,000 pages');
    expect(formatProgress({ done: 1200, total: null, unit: 'rows' }, 'en-US')).toBe('1,200 rows');
  });

  it('labels a run asked to stop as cancelling until it has', () => {
    expect(runStatusLabel(runFixture())).toBe('running');
    expect(runStatusLabel(runFixture({ cancelRequested: true }))).toBe('cancelling…');
    expect(runStatusLabel(runFixture({ status: 'queued', cancelRequested: true }))).toBe('cancelling…');
    expect(runStatusLabel(runFixture({ status: 'cancelled', cancelRequested: true }))).toBe('cancelled');
  });
});

describe('the toast of a finished run', () => {
  it('says how a run ended, with the failure’s own message', () => {
    expect(runFinishedToast(runFixture(), 'ClinicalTrials.gov')).toBeUndefined();
    expect(runFinishedToast(runFixture({ status: 'queued' }), 'ClinicalTrials.gov')).toBeUndefined();
    expect(
      runFinishedToast(
        runFixture({ status: 'succeeded', rowsWritten: 50_000, durationMs: 185_000 }),
        'ClinicalTrials.gov',
        'en-US',
      ),
    ).toEqual({
      kind: 'success',
      title: 'ClinicalTrials.gov finished',
      message: '50,000 rows written in 3 min 05 s.',
    });
    expect(
      runFinishedToast(
        runFixture({
          status: 'failed',
          error: { code: 'PIPELINE_FAILED', message: 'Page 12 was not valid JSON after 5 tries.' },
        }),
        'ClinicalTrials.gov',
      ),
    ).toEqual({
      kind: 'error',
      title: 'ClinicalTrials.gov failed',
      message: 'Page 12 was not valid JSON after 5 tries.',
    });
    expect(runFinishedToast(runFixture({ status: 'cancelled', rowsWritten: 1 }), 'CT', 'en-US')).toEqual({
      kind: 'info',
      title: 'CT cancelled',
      message: 'Stopped by request after 1 row written.',
    });
  });
});

describe('dashboards being refreshed', () => {
  const pipeline = (id: string, datasets: string[], activeRun: RunSummary | null) => ({
    id,
    title: id.toUpperCase(),
    datasets,
    activeRun,
  });

  it('are those reading a dataset of a running pipeline, not a queued one', () => {
    const pipelines = [
      pipeline('ctgov', ['studies', 'study_conditions'], runFixture()),
      pipeline('files', ['uploads'], runFixture({ pipelineId: 'files' })),
      pipeline('later', ['studies'], runFixture({ status: 'queued' })),
      pipeline('idle', ['studies'], null),
    ];
    expect(refreshingPipelines(['study_conditions', 'sites'], pipelines)).toEqual([
      { id: 'ctgov', title: 'CTGOV' },
    ]);
    expect(refreshingPipelines(['uploads', 'studies'], pipelines).map((p) => p.id)).toEqual([
      'ctgov',
      'files',
    ]);
    expect(refreshingPipelines(['sites'], pipelines)).toEqual([]);
    expect(refreshingPipelines([], pipelines)).toEqual([]);
  });
});
