import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useId, useState } from 'react';
import type { PipelineSummary, RunSummary } from '../../../contract/index.js';
import { isApiError } from '../api/api-error.js';
import { cancelRunMutation, startRunMutation, startRunWithInputsMutation } from '../api/jobs-mutations.js';
import { formatDateTime, formatRelative } from '../app/accounts/account-format.js';
import { formatCount, formatDuration, isActive, runStatusKey } from '../app/jobs/job-format.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { FormError } from './FormError.js';
import { RunHistory } from './RunHistory.js';
import { RunInputsDialog } from './RunInputsDialog.js';
import { RunProgress } from './RunProgress.js';

/**
 * One pipeline on the Jobs page: what it is and when it runs, its last run, the live progress of the
 * current one with Cancel, Run now (for those who may), and its history with each run's log.
 */
export function PipelineCard(props: {
  pipeline: PipelineSummary;
  canRun: boolean;
  historyOpen: boolean;
  onShowLog: (run: RunSummary, pipelineTitle: string) => void;
}) {
  const { pipeline: p } = props;
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const titleId = useId();
  const [offerQueue, setOfferQueue] = useState<string | null>(null);
  const [historyOpen, setHistoryOpen] = useState(props.historyOpen);

  const start = useMutation(startRunMutation(queryClient, p.id));
  const startWithInputs = useMutation(startRunWithInputsMutation(queryClient, p.id));
  const [inputsOpen, setInputsOpen] = useState(false);
  const inputs = p.inputs;
  const cancel = useMutation(cancelRunMutation(queryClient));
  const startRun = (queueIfRunning: boolean) =>
    start.mutate(queueIfRunning, {
      onSuccess: () => setOfferQueue(null),
      onError: (err) => {
        // Never two runs at once: the server refused; offer to queue this one behind the running one.
        if (isApiError(err) && err.code === 'PIPELINE_ALREADY_RUNNING') setOfferQueue(err.message);
      },
    });

  const active = p.activeRun;
  const last = p.lastRun;
  // The 409 becomes the offer to queue; any other failure of Run now shows under the buttons.
  const runError =
    start.variables === false &&
    start.error !== null &&
    !(isApiError(start.error) && start.error.code === 'PIPELINE_ALREADY_RUNNING');
  return (
    <section className="panel pipeline-card" aria-labelledby={titleId} data-pipeline-id={p.id}>
      <div className="pipeline-head">
        <div className="pipeline-heading">
          <h2 id={titleId} className="pipeline-title">
            {p.title}
          </h2>
          <p className="pipeline-meta">
            <span className="badge state badge-accent">
              {t(`jobs.types.${p.type === 'http' ? 'http' : p.type === 'enrich' ? 'enrich' : 'files'}`)}
            </span>
            {p.schedule ? (
              <span>
                {t('jobs.schedule')} <code>{p.schedule}</code>
                {p.nextRunAt && (
                  <>
                    {' '}
                    · {t('jobs.nextRun')}{' '}
                    <time dateTime={p.nextRunAt} title={formatDateTime(p.nextRunAt)}>
                      {formatRelative(p.nextRunAt)}
                    </time>
                  </>
                )}
              </span>
            ) : (
              <span>{t('jobs.onDemand')}</span>
            )}
          </p>
        </div>
        {props.canRun && (
          <div className="pipeline-actions">
            {active && isActive(active.status) && (
              <button
                type="button"
                className="button danger-outline"
                aria-label={t('jobs.cancelRun', { status: active.status, title: p.title })}
                disabled={active.cancelRequested || cancel.isPending}
                onClick={() => cancel.mutate(active.id)}
              >
                {active.cancelRequested || cancel.isPending ? t('jobs.cancelling') : t('jobs.cancel')}
              </button>
            )}
            {inputs.length > 0 ? (
              <button
                type="button"
                className="button"
                aria-label={t('jobs.runWithInputsLabel', { title: p.title })}
                aria-haspopup="dialog"
                onClick={() => {
                  startWithInputs.reset();
                  setInputsOpen(true);
                }}
              >
                {t('jobs.runWithInputs')}
              </button>
            ) : (
              <button
                type="button"
                className="button"
                aria-label={t('jobs.runNowLabel', { title: p.title })}
                disabled={start.isPending}
                onClick={() => startRun(false)}
              >
                {start.isPending ? t('jobs.starting') : t('jobs.runNow')}
              </button>
            )}
          </div>
        )}
      </div>
      {runError && <FormError error={start.error} />}
      <FormError error={cancel.error} />

      {active && (
        <div className="pipeline-active">
          <RunProgress run={active} label={t('jobs.progressOf', { title: p.title })} />
          <button
            type="button"
            className="button secondary small"
            onClick={() => props.onShowLog(active, p.title)}
            aria-label={t('jobs.liveLog', { title: p.title })}
          >
            {t('jobs.showLog')}
          </button>
        </div>
      )}

      <dl className="facts last-run" data-testid="last-run">
        <dt>{t('jobs.lastRun')}</dt>
        <dd>
          {last ? (
            <>
              <span className={`badge state badge-run-${last.status}`}>{t(runStatusKey(last))}</span>{' '}
              <time
                dateTime={last.finishedAt ?? last.queuedAt}
                title={formatDateTime(last.finishedAt ?? last.queuedAt)}
              >
                {formatRelative(last.finishedAt ?? last.queuedAt)}
              </time>
              {' · '}
              {formatDuration(last.durationMs)}
              {' · '}
              {t('jobs.rowsWritten', { count: last.rowsWritten, n: formatCount(last.rowsWritten) })}
            </>
          ) : (
            t('jobs.neverRun')
          )}
        </dd>
        {last?.error && (
          <>
            <dt>{t('jobs.error')}</dt>
            <dd className="run-error" data-testid="last-run-error">
              <span className="error-code">{last.error.code}</span> {last.error.message}
            </dd>
          </>
        )}
        {p.datasets.length > 0 && (
          <>
            <dt>{t('jobs.refreshes')}</dt>
            <dd className="pipeline-datasets">
              {p.datasets.map((d) => (
                <code key={d}>{d}</code>
              ))}
            </dd>
          </>
        )}
      </dl>

      <div className="pipeline-history">
        <button
          type="button"
          className="button ghost small history-toggle"
          aria-expanded={historyOpen}
          onClick={() => setHistoryOpen((o) => !o)}
        >
          <span aria-hidden="true">{historyOpen ? '▾' : '▸'}</span> {t('jobs.runHistory')}
        </button>
        {historyOpen && (
          <RunHistory
            pipelineId={p.id}
            pipelineTitle={p.title}
            onShowLog={(run) => props.onShowLog(run, p.title)}
            canRetryFailed={props.canRun && p.type === 'enrich' && !(active && isActive(active.status))}
          />
        )}
      </div>

      {inputsOpen && (
        <RunInputsDialog
          title={p.title}
          inputs={inputs}
          pending={startWithInputs.isPending}
          error={startWithInputs.error}
          onStart={(values) => startWithInputs.mutate(values, { onSuccess: () => setInputsOpen(false) })}
          onCancel={() => setInputsOpen(false)}
        />
      )}

      {offerQueue !== null && (
        <ConfirmDialog
          title={t('jobs.alreadyRunning', { title: p.title })}
          confirmLabel={t('jobs.queueRun')}
          pending={start.isPending}
          error={start.variables === true ? start.error : null}
          onConfirm={() => startRun(true)}
          onCancel={() => setOfferQueue(null)}
        >
          <p>{offerQueue}</p>
          <p>{t('jobs.queueQuestion')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
