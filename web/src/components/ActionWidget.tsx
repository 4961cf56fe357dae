import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RunInputValues, RunSummary, WidgetDefinition } from '../../../contract/index.js';
import { cancelRunMutation, retryFailedMutation, startRunWithInputsMutation } from '../api/jobs-mutations.js';
import { pipelinesQuery } from '../api/jobs-queries.js';
import { queryKeys } from '../api/queries.js';
import { isActive, retryableFailedRows, runStatusLabel } from '../app/jobs/job-format.js';
import { FormError } from './FormError.js';
import { RunInputsFields, useRunInputsForm } from './RunInputsDialog.js';
import { RunProgress } from './RunProgress.js';

type Action = NonNullable<WidgetDefinition['action']>;

/**
 * An action widget (docs/project-files.md#action-widgets): the pipeline's input form on the
 * dashboard, launched through the Jobs API (the server checks role, organisation and every value
 * again). A table's selected rows' keys fill its keys input. The pipeline's active run shows its
 * progress from the run-events stream (useRunEvents keeps the pipeline list current) with Cancel;
 * a cancelled or failed run can be resumed with the same inputs (rows already done are skipped), and
 * a finished run's failed rows re-run ("Retry N failed rows": only those, with its inputs).
 * When a run this page saw ends, the dashboard's widgets refetch: no reload.
 */
export function ActionWidget(props: {
  dashboardId: string;
  widget: WidgetDefinition;
  /** The keys selected in `action.fromTable`, and that table's title (for the hint). */
  selectedKeys: readonly string[];
  tableTitle: string | undefined;
}) {
  const { t } = useTranslation();
  const titleId = useId();
  const { widget } = props;
  return (
    <article
      className={`widget span-${widget.width} widget-action height-${widget.height}`}
      aria-labelledby={titleId}
      data-widget-id={widget.id}
      data-widget-type="action"
      data-state="ready"
    >
      <header className="widget-header">
        <div className="widget-heading">
          <h2 id={titleId} className="widget-title">
            {widget.title}
          </h2>
          {widget.description && <p className="widget-description">{widget.description}</p>}
        </div>
      </header>
      <div className="widget-body">
        {widget.action ? (
          <ActionForm {...props} action={widget.action} />
        ) : (
          <p className="widget-note">{t('action.unavailable')}</p>
        )}
      </div>
    </article>
  );
}

function ActionForm(props: {
  dashboardId: string;
  action: Action;
  selectedKeys: readonly string[];
  tableTitle: string | undefined;
}) {
  const { action, selectedKeys } = props;
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const keysId = useId();
  const pipelines = useQuery(pipelinesQuery());
  const summary = pipelines.data?.pipelines.find((p) => p.id === action.pipeline);
  const start = useMutation(startRunWithInputsMutation(queryClient, action.pipeline));
  const cancel = useMutation(cancelRunMutation(queryClient));
  const retry = useMutation(retryFailedMutation(queryClient, action.pipeline));
  const keysInput = action.keysInput;
  const form = useRunInputsForm(action.inputs, start.error, keysInput ? [keysInput] : []);
  const [launched, setLaunched] = useState<string | null>(null);
  // A new selection answers the problem shown beside the old one (the local check's or the server's).
  const { forget } = form;
  const resetStart = start.reset;
  const selection = selectedKeys.join('\u0000');
  const firstSelection = useRef(selection);
  useEffect(() => {
    if (!keysInput || selection === firstSelection.current) return;
    firstSelection.current = selection;
    forget(keysInput);
    resetStart();
  }, [selection, keysInput, forget, resetStart]);

  const active = summary?.activeRun && isActive(summary.activeRun.status) ? summary.activeRun : null;
  const last = summary?.lastRun ?? null;
  useRefreshWhenDone(props.dashboardId, active, last);

  const launch = (values: RunInputValues) =>
    start.mutate(values, { onSuccess: (run) => setLaunched(run.id) });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const extra =
      keysInput && selectedKeys.length === 0
        ? [{ path: keysInput, message: t('action.selectFirst', { table: props.tableTitle ?? '' }) }]
        : [];
    form.submit(
      (values) =>
        launch({
          ...action.fixed,
          ...values,
          ...(keysInput && selectedKeys.length > 0 ? { [keysInput]: [...selectedKeys] } : {}),
        }),
      extra,
    );
  };

  const keysProblem = keysInput ? form.problemOf(keysInput) : undefined;
  const resumable = !active && last && (last.status === 'cancelled' || last.status === 'failed');
  // The last run's failed rows (of its selection), re-run with its inputs: a new run of only those.
  const failedRows = !active && last ? retryableFailedRows(last) : 0;
  const serverInputsError = form.serverIssues;
  return (
    <form
      className="action-form"
      onSubmit={submit}
      noValidate
      aria-describedby={keysInput ? keysId : undefined}
    >
      {keysInput && (
        <p id={keysId} className={keysProblem ? 'field-error' : 'action-keys'} data-testid="action-keys">
          {keysProblem ??
            (selectedKeys.length > 0
              ? t('action.fromTable', { count: selectedKeys.length, table: props.tableTitle ?? '' })
              : t('action.selectHint', { table: props.tableTitle ?? '' }))}
        </p>
      )}
      {action.inputs.length > 0 && <RunInputsFields form={form} autoFocus={false} />}
      {!action.canRun && <p className="widget-note">{t('action.notAllowed')}</p>}
      {action.canRun && (
        <div className="action-buttons">
          <button type="submit" className="button" disabled={start.isPending || active !== null}>
            {start.isPending ? t('action.starting') : (action.button ?? t('action.run'))}
          </button>
          {active && (
            <button
              type="button"
              className="button danger-outline"
              disabled={active.cancelRequested || cancel.isPending}
              onClick={() => cancel.mutate(active.id)}
            >
              {active.cancelRequested || cancel.isPending ? t('action.cancelling') : t('action.cancel')}
            </button>
          )}
          {resumable && last.inputs && (
            <button
              type="button"
              className="button secondary"
              title={t('action.resumeHint')}
              disabled={start.isPending}
              onClick={() => launch(last.inputs ?? {})}
            >
              {t('action.resume')}
            </button>
          )}
          {failedRows > 0 && last && (
            <button
              type="button"
              className="button secondary"
              title={t('action.retryFailedHint')}
              data-testid="action-retry-failed"
              disabled={retry.isPending || start.isPending}
              onClick={() => retry.mutate(last.id, { onSuccess: (run) => setLaunched(run.id) })}
            >
              {t('action.retryFailed', { count: failedRows })}
            </button>
          )}
        </div>
      )}
      {!serverInputsError && <FormError error={start.error} />}
      <FormError error={cancel.error} />
      <FormError error={retry.error} />
      {active && <RunProgress run={active} label={t('action.progress', { title: action.pipelineTitle })} />}
      {!active && last && (launched === last.id || resumable || failedRows > 0) && (
        <p className="action-last" role="status" data-testid="action-last" data-status={last.status}>
          {t('action.lastRun', {
            count: last.rowsWritten,
            status: runStatusLabel(last),
            rows: last.rowsWritten,
          })}
        </p>
      )}
    </form>
  );
}

/**
 * When the run this page saw active ends, the dashboard's widgets refetch (the publish already
 * invalidated their datasets through the update stream; this covers a run whose last batch landed
 * with its end, and a stream that was not open).
 */
function useRefreshWhenDone(dashboardId: string, active: RunSummary | null, last: RunSummary | null): void {
  const queryClient = useQueryClient();
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (active) {
      seen.current = active.id;
      return;
    }
    if (seen.current !== null && last?.id === seen.current) {
      seen.current = null;
      void queryClient.invalidateQueries({ queryKey: queryKeys.dashboardData(dashboardId) });
    }
  }, [active, last, dashboardId, queryClient]);
}

/** The lazy chunk's export (pages/DashboardPage.tsx loads it only for dashboards with an action). */
export default ActionWidget;
