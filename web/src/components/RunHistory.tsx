import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { RunSummary } from '../../../contract/index.js';
import { retryFailedMutation } from '../api/jobs-mutations.js';
import { runHistoryQuery } from '../api/jobs-queries.js';
import { formatDateTime } from '../app/accounts/account-format.js';
import {
  formatCount,
  formatDuration,
  formatRunInputs,
  isActive,
  retryableFailedRows,
  runStatusKey,
} from '../app/jobs/job-format.js';
import { ListSkeleton } from './AccountPage.js';
import { FormError } from './FormError.js';
import { WidgetError } from './WidgetStates.js';

/**
 * A pipeline's runs, newest first, a page at a time; each with a button to its log, and — for an
 * enrichment whose finished run left rows `failed`, to those who may run it while nothing runs —
 * "Retry N failed rows" (a new run of only those rows, with that run's inputs).
 */
export function RunHistory(props: {
  pipelineId: string;
  pipelineTitle: string;
  onShowLog: (run: RunSummary) => void;
  /** Retrying failed rows is offered (an enrich pipeline, a role that may run it, no run active). */
  canRetryFailed?: boolean;
}) {
  const history = useInfiniteQuery(runHistoryQuery(props.pipelineId));
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const retry = useMutation(retryFailedMutation(queryClient, props.pipelineId));
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
  if (runs.length === 0) return <p className="section-summary">{t('jobs.noRuns')}</p>;
  const withInputs = runs.some((r) => r.inputs !== null);
  return (
    <>
      <div className="table-scroll">
        <table
          className="data-table account-table run-history"
          aria-label={t('jobs.runsOf', { title: props.pipelineTitle })}
        >
          <thead>
            <tr>
              <th scope="col">{t('jobs.queued')}</th>
              <th scope="col">{t('jobs.trigger')}</th>
              <th scope="col">{t('jobs.status')}</th>
              {withInputs && <th scope="col">{t('jobs.inputs')}</th>}
              <th scope="col" className="num">
                {t('jobs.duration')}
              </th>
              <th scope="col" className="num">
                {t('jobs.rowsWrittenHead')}
              </th>
              <th scope="col">{t('jobs.error')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('jobs.log')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run-id={run.id} data-status={run.status}>
                <td>{formatDateTime(run.queuedAt)}</td>
                <td>
                  {run.requestedBy ?? run.trigger}
                  {run.retryOf !== null && <span className="run-retry-of"> · {t('jobs.retryOf')}</span>}
                </td>
                <td>
                  <span
                    className={`badge state badge-run-${run.cancelRequested && isActive(run.status) ? 'cancelling' : run.status}`}
                  >
                    {t(runStatusKey(run))}
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
                  {props.canRetryFailed && retryableFailedRows(run) > 0 && (
                    <button
                      type="button"
                      className="button secondary small"
                      data-testid="retry-failed"
                      disabled={retry.isPending}
                      aria-label={t('jobs.retryFailedLabel', {
                        count: retryableFailedRows(run),
                        time: formatDateTime(run.queuedAt),
                      })}
                      onClick={() => retry.mutate(run.id)}
                    >
                      {t('jobs.retryFailed', { count: retryableFailedRows(run) })}
                    </button>
                  )}
                  <button
                    type="button"
                    className="button secondary small"
                    aria-label={t('jobs.logOfRun', { time: formatDateTime(run.queuedAt) })}
                    onClick={() => props.onShowLog(run)}
                  >
                    {t('jobs.log')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <FormError error={retry.error} />
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
            {history.isFetchingNextPage ? t('common.loading') : t('jobs.olderRuns')}
          </button>
        </div>
      )}
    </>
  );
}
