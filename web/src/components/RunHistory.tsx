import { useInfiniteQuery } from '@tanstack/react-query';
import type { RunSummary } from '../../../contract/index.js';
import { runHistoryQuery } from '../api/jobs-queries.js';
import { formatDateTime } from '../app/accounts/account-format.js';
import {
  formatCount,
  formatDuration,
  formatRunInputs,
  isActive,
  runStatusLabel,
} from '../app/jobs/job-format.js';
import { ListSkeleton } from './AccountPage.js';
import { WidgetError } from './WidgetStates.js';

/** A pipeline's runs, newest first, a page at a time; each with a button to its log. */
export function RunHistory(props: {
  pipelineId: string;
  pipelineTitle: string;
  onShowLog: (run: RunSummary) => void;
}) {
  const history = useInfiniteQuery(runHistoryQuery(props.pipelineId));
  const runs = history.data?.pages.flatMap((p) => p.runs) ?? [];
  if (history.isPending) return <ListSkeleton rows={3} />;
  if (history.isError && runs.length === 0)
    return (
      <WidgetError
        error={history.error}
        onRetry={() => void history.refetch()}
        retrying={history.isFetching}
      />
    );
  if (runs.length === 0) return <p className="section-summary">No runs yet.</p>;
  const withInputs = runs.some((r) => r.inputs !== null);
  return (
    <>
      <div className="table-scroll">
        <table className="data-table account-table run-history" aria-label={`Runs of ${props.pipelineTitle}`}>
          <thead>
            <tr>
              <th scope="col">Queued</th>
              <th scope="col">Trigger</th>
              <th scope="col">Status</th>
              {withInputs && <th scope="col">Inputs</th>}
              <th scope="col" className="num">
                Duration
              </th>
              <th scope="col" className="num">
                Rows written
              </th>
              <th scope="col">Error</th>
              <th scope="col">
                <span className="visually-hidden">Log</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run-id={run.id} data-status={run.status}>
                <td>{formatDateTime(run.queuedAt)}</td>
                <td>{run.requestedBy ?? run.trigger}</td>
                <td>
                  <span
                    className={`badge state badge-run-${run.cancelRequested && isActive(run.status) ? 'cancelling' : run.status}`}
                  >
                    {runStatusLabel(run)}
                  </span>
                </td>
                {withInputs && (
                  <td className="prose run-inputs-cell" data-testid="run-inputs">
                    {formatRunInputs(run.inputs)}
                  </td>
                )}
                <td className="num">{formatDuration(run.durationMs)}</td>
                <td className="num">
                  {isActive(run.status) && run.rowsWritten === 0 ? '—' : formatCount(run.rowsWritten)}
                </td>
                <td className="prose run-error-cell">{run.error?.message ?? ''}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="button secondary small"
                    aria-label={`Log of the run queued ${formatDateTime(run.queuedAt)}`}
                    onClick={() => props.onShowLog(run)}
                  >
                    Log
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {history.isFetchNextPageError && (
        <WidgetError
          error={history.error}
          onRetry={() => void history.fetchNextPage()}
          retrying={history.isFetchingNextPage}
        />
      )}
      {history.hasNextPage && (
        <div className="load-more">
          <button
            type="button"
            className="button secondary"
            disabled={history.isFetchingNextPage}
            onClick={() => void history.fetchNextPage()}
          >
            {history.isFetchingNextPage ? 'Loading…' : 'Older runs'}
          </button>
        </div>
      )}
    </>
  );
}
