import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ExportFile } from '../../../contract/index.js';
import { exportDownloadUrl, exportsClient } from '../api/exports-api.js';
import { exportKeys, exportListQuery } from '../api/exports-queries.js';
import { formatDateTime } from '../app/accounts/account-format.js';
import { exportStatusLabel, formatBytes, isPending } from '../app/exports/export-jobs.js';
import { formatCount, formatEta, formatRate } from '../app/jobs/job-format.js';
import { showToast } from '../app/shell/toasts.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { WidgetError } from '../components/WidgetStates.js';

/**
 * Large exports written in the background (docs/exports.md): progress with rows/s and time left,
 * Cancel, Download while the file is kept. Members see their own; admins their organisation's.
 */
export function ExportsPage() {
  return (
    <AccountPage
      page="exports"
      description="Exports too large to download at once are written in the background. Each file is kept until the time shown, for you (and your organisation's admins) only."
    >
      {() => <ExportList />}
    </AccountPage>
  );
}

function ExportList() {
  const list = useQuery(exportListQuery());
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: (id: string) => exportsClient.cancel(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: exportKeys.all() }),
    onError: (err) =>
      showToast({ kind: 'error', title: 'Could not cancel', message: (err as Error).message }),
  });
  if (list.isPending) return <ListSkeleton rows={3} />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const exports = list.data.exports;
  if (exports.length === 0)
    return (
      <EmptyState title="No exports yet">
        <p>
          Choose <strong>Export</strong> on a widget of a dashboard. Small files download at once; a large one
          is written here in the background, and a notice tells you when it is ready.
        </p>
      </EmptyState>
    );
  return (
    <section className="account-section" aria-labelledby="exports-title">
      <h2 id="exports-title" className="section-title">
        Recent exports
      </h2>
      <div className="table-scroll">
        <table className="data-table account-table exports-table">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col">Rows</th>
              <th scope="col">Size</th>
              <th scope="col">Requested</th>
              <th scope="col">Kept until</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {exports.map((e) => (
              <tr key={e.id} data-export-id={e.id} data-status={e.status}>
                <td>
                  <span className="export-file-name">{e.fileName}</span>
                  {!e.mine && <span className="field-hint"> (another member's)</span>}
                </td>
                <td>
                  <span className={`badge state badge-export-${e.status}`}>
                    {exportStatusLabel(e.status)}
                  </span>
                  {e.error && <p className="field-error">{e.error.message}</p>}
                </td>
                <td>
                  {isPending(e) ? (
                    <Progress file={e} />
                  ) : isRendered(e) ? (
                    renderedLabel(e)
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
                      aria-label={`Download ${e.fileName}`}
                    >
                      Download
                    </a>
                  )}
                  {isPending(e) && (
                    <button
                      type="button"
                      className="button secondary small"
                      disabled={cancel.isPending && cancel.variables === e.id}
                      onClick={() => cancel.mutate(e.id)}
                      aria-label={`Cancel ${e.fileName}`}
                    >
                      Cancel
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
  const percent = total && total > 0 ? Math.min(100, (file.rowsDone / total) * 100) : null;
  // A PDF or PNG has no rows to count: it is printing, or waiting for a worker.
  const text = isRendered(file)
    ? file.status === 'running'
      ? 'Printing the dashboard'
      : renderedLabel(file)
    : `${formatCount(file.rowsDone)}${total === null ? '' : ` of ${formatCount(total)}`} rows`;
  const eta =
    file.status === 'queued' ? 'waiting for a worker' : isRendered(file) ? '' : formatEta(file.etaSeconds);
  return (
    <div className="export-progress">
      <div
        className={percent === null ? 'progress-track indeterminate' : 'progress-track'}
        role="progressbar"
        aria-label={`Progress of ${file.fileName}`}
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
          <span>{formatRate(file.rowsPerSecond, 'rows')}</span>
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

function renderedLabel(file: ExportFile): string {
  return file.format === 'png' ? 'Dashboard PNG' : 'Dashboard PDF';
}
