import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import type { ExportFile } from '../../../contract/index.js';
import { exportDownloadUrl, exportsClient } from '../api/exports-api.js';
import { exportKeys, exportListQuery } from '../api/exports-queries.js';
import { formatDateTime } from '../app/accounts/account-format.js';
import { formatBytes, isPending } from '../app/exports/export-jobs.js';
import { formatCount, formatEta, formatRate } from '../app/jobs/job-format.js';
import { showToast } from '../app/shell/toasts.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { WidgetError } from '../components/WidgetStates.js';

/**
 * Large exports written in the background (docs/exports.md): progress with rows/s and time left,
 * Cancel, Download while the file is kept. Members see their own; admins their organisation's.
 */
export function ExportsPage() {
  const { t } = useTranslation();
  return (
    <AccountPage page="exports" description={t('exports.description')}>
      {() => <ExportList />}
    </AccountPage>
  );
}

function ExportList() {
  const list = useQuery(exportListQuery());
  const queryClient = useQueryClient();
  const { t } = useTranslation();
  const cancel = useMutation({
    mutationFn: (id: string) => exportsClient.cancel(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: exportKeys.all() }),
    onError: (err) =>
      showToast({ kind: 'error', title: t('exports.cancelFailed'), message: (err as Error).message }),
  });
  if (list.isPending) return <ListSkeleton rows={3} />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const exports = list.data.exports;
  if (exports.length === 0)
    return (
      <EmptyState title={t('exports.emptyTitle')}>
        <p>
          <Trans i18nKey="exports.emptyHelp" components={{ strong: <strong /> }} />
        </p>
      </EmptyState>
    );
  return (
    <section className="account-section" aria-labelledby="exports-title">
      <h2 id="exports-title" className="section-title">
        {t('exports.title')}
      </h2>
      <div className="table-scroll">
        <table className="data-table account-table exports-table">
          <thead>
            <tr>
              <th scope="col">{t('exports.file')}</th>
              <th scope="col">{t('exports.status')}</th>
              <th scope="col">{t('exports.rows')}</th>
              <th scope="col">{t('exports.size')}</th>
              <th scope="col">{t('exports.requested')}</th>
              <th scope="col">{t('exports.keptUntil')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('exports.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {exports.map((e) => (
              <tr key={e.id} data-export-id={e.id} data-status={e.status}>
                <td>
                  <span className="export-file-name">{e.fileName}</span>
                  {!e.mine && <span className="field-hint"> {t('subscriptions.othersMember')}</span>}
                </td>
                <td>
                  <span className={`badge state badge-export-${e.status}`}>
                    {t(`exports.statuses.${e.status}`)}
                  </span>
                  {e.error && <p className="field-error">{e.error.message}</p>}
                </td>
                <td>
                  {isPending(e) ? (
                    <Progress file={e} />
                  ) : isRendered(e) ? (
                    t(e.format === 'png' ? 'exports.dashboardPng' : 'exports.dashboardPdf')
                  ) : (
                    formatCount(e.rowsDone)
                  )}
                </td>
                <td>{formatBytes(e.bytes)}</td>
                <td>{formatDateTime(e.createdAt)}</td>
                <td>{e.status === 'ready' ? formatDateTime(e.expiresAt) : '—'}</td>
                <td className="row-actions">
                  {e.status === 'ready' && (
                    <a
                      className="button small"
                      href={exportDownloadUrl(e.id)}
                      download
                      aria-label={t('exports.downloadNamed', { name: e.fileName })}
                    >
                      {t('exports.download')}
                    </a>
                  )}
                  {isPending(e) && (
                    <button
                      type="button"
                      className="button secondary small"
                      disabled={cancel.isPending && cancel.variables === e.id}
                      onClick={() => cancel.mutate(e.id)}
                      aria-label={t('exports.cancelNamed', { name: e.fileName })}
                    >
                      {t('ui.cancel')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Done of total as a bar, with rows/s and time left (or "waiting for a worker" while queued). */
function Progress({ file }: { file: ExportFile }) {
  const total = file.rowsTotal;
  const { t } = useTranslation();
  const percent = total && total > 0 ? Math.min(100, (file.rowsDone / total) * 100) : null;
  // A PDF or PNG has no rows to count: it is printing, or waiting for a worker.
  const text = isRendered(file)
    ? file.status === 'running'
      ? t('exports.printing')
      : t(file.format === 'png' ? 'exports.dashboardPng' : 'exports.dashboardPdf')
    : total === null
      ? t('exports.rowsDone', { count: file.rowsDone, n: formatCount(file.rowsDone) })
      : t('exports.rowsOf', { count: total, n: formatCount(file.rowsDone), total: formatCount(total) });
  const eta =
    file.status === 'queued'
      ? t('jobs.waitingForWorker')
      : isRendered(file)
        ? ''
        : formatEta(file.etaSeconds);
  return (
    <div className="export-progress">
      <div
        className={percent === null ? 'progress-track indeterminate' : 'progress-track'}
        role="progressbar"
        aria-label={t('jobs.progressOf', { title: file.fileName })}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent === null ? undefined : Math.floor(percent)}
        aria-valuetext={`${text}, ${eta}`}
      >
        <div className="progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
      </div>
      <p className="run-progress-stats">
        <span>{text}</span>
        {file.status === 'running' && !isRendered(file) && (
          <span>{formatRate(file.rowsPerSecond, t('exports.rowsUnit'))}</span>
        )}
        {eta && <span>{eta}</span>}
      </p>
    </div>
  );
}

/** A whole dashboard rendered by Chromium on the worker (no rows to count). */
function isRendered(file: ExportFile): boolean {
  return file.format === 'pdf' || file.format === 'png';
}
