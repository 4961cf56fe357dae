import type { RunSummary } from '../../../contract/index.js';
import { useTranslation } from 'react-i18next';
import {
  formatCount,
  formatDuration,
  formatEta,
  formatProgress,
  formatRate,
  progressPercent,
  runElapsedMs,
  runStatusKey,
} from '../app/jobs/job-format.js';
import { useNow } from '../hooks/useNow.js';

/**
 * A queued or running run: a progress bar (indeterminate while the total is unknown), done of
 * total, rate, time left, rows written so far, elapsed time and the pipeline's latest message.
 */
export function RunProgress({ run, label }: { run: RunSummary; label: string }) {
  const now = useNow(1000, run.status === 'running');
  const { t } = useTranslation();
  const percent = progressPercent(run.progress);
  const progressText = formatProgress(run.progress);
  const eta = run.status === 'running' ? formatEta(run.progress.etaSeconds) : t('jobs.waitingForWorker');
  const status = t(runStatusKey(run));
  return (
    <div className="run-progress" data-testid="run-progress" data-run-id={run.id} data-status={run.status}>
      <div className="run-progress-head">
        <span className={`badge state badge-run-${run.cancelRequested ? 'cancelling' : run.status}`}>
          {status}
        </span>
        <span className="run-progress-count">{progressText}</span>
        {percent !== null && <span className="run-progress-percent">{Math.floor(percent)}%</span>}
      </div>
      <div
        className={percent === null ? 'progress-track indeterminate' : 'progress-track'}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent === null ? undefined : Math.floor(percent)}
        aria-valuetext={`${progressText}, ${eta}`}
      >
        <div className="progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
      </div>
      <p className="run-progress-stats">
        <span>{formatRate(run.progress.ratePerSecond, run.progress.unit)}</span>
        <span>{eta}</span>
        {/* The count is stored at checkpoints; before the first, the pipeline's message says more. */}
        {run.rowsWritten > 0 && (
          <span>{t('jobs.rowsWritten', { count: run.rowsWritten, n: formatCount(run.rowsWritten) })}</span>
        )}
        <span>{t('jobs.elapsed', { time: formatDuration(runElapsedMs(run, now)) })}</span>
      </p>
      {run.progress.message && <p className="run-progress-message">{run.progress.message}</p>}
    </div>
  );
}
