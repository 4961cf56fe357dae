import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import { jobs } from '../api/jobs-api.js';
import { runQuery } from '../api/jobs-queries.js';
import { formatDateTime } from '../app/accounts/account-format.js';
import { formatCount, formatDuration, isActive, runStatusKey } from '../app/jobs/job-format.js';
import {
  formatLogTime,
  INITIAL_LOG_STATE,
  logReducer,
  type LogAction,
  type LogState,
} from '../app/jobs/run-log.js';
import { subscribeRunLog } from '../hooks/useRunEvents.js';
import { FormError } from './FormError.js';
import { RunProgress } from './RunProgress.js';

const PAGE_LIMIT = 200;
/** Pages fetched in one go when the log opens; past that a "Load more" button asks for the rest. */
const AUTO_PAGES = 10;

const reduce = (state: LogState, action: LogAction) => logReducer(state, action);

/**
 * One run's log in a modal dialog (native <dialog>: focus kept inside, Escape closes, focus returns
 * to the button that opened it). The log is read page by page from the start (logs?after=) and, once
 * caught up, grows from the run events' `log` lines; at most MAX_LOG_LINES stay in the page.
 */
export function RunLogDialog(props: { runId: string; pipelineTitle: string; onClose: () => void }) {
  const { runId } = props;
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  const run = useQuery(runQuery(runId));
  const [state, dispatch] = useReducer(reduce, INITIAL_LOG_STATE);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const next = useRef<number | undefined>(undefined);
  next.current = state.next;
  const aborter = useRef<AbortController | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const cancel = (event: Event) => {
      event.preventDefault();
      onClose.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, []);

  const loadPages = useCallback(
    async (pages: number) => {
      aborter.current?.abort();
      const controller = new AbortController();
      aborter.current = controller;
      setLoading(true);
      setError(null);
      try {
        let after = next.current;
        for (let i = 0; i < pages; i++) {
          const page = await jobs.logs(runId, { after, limit: PAGE_LIMIT }, controller.signal);
          if (controller.signal.aborted) return;
          dispatch({ type: 'page', lines: page.lines, nextAfter: page.nextAfter, limit: PAGE_LIMIT });
          if (page.nextAfter === null || page.lines.length < PAGE_LIMIT) break;
          after = page.nextAfter;
        }
      } catch (err) {
        if (!controller.signal.aborted) setError(err instanceof Error ? err : new Error(String(err)));
      } finally {
        if (!controller.signal.aborted) setLoading(false);
      }
    },
    [runId],
  );

  // Live lines are heard from before the first page is asked for, so none fall between the two.
  useEffect(() => subscribeRunLog(runId, (event) => dispatch({ type: 'live', line: event.line })), [runId]);
  useEffect(() => {
    void loadPages(AUTO_PAGES);
    return () => aborter.current?.abort();
  }, [loadPages]);

  // Follow the end of the log while the reader is at the end; leave them be when they scrolled up.
  const list = useRef<HTMLOListElement>(null);
  const atEnd = useRef(true);
  useLayoutEffect(() => {
    const el = list.current;
    if (el && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [state.view]);

  const summary = run.data;
  return (
    <dialog ref={ref} className="dialog log-dialog" aria-labelledby="log-title" data-run-id={runId}>
      <div className="log-dialog-head">
        <h2 id="log-title" className="dialog-title">
          {t('jobs.logOf', { title: props.pipelineTitle })}
        </h2>
        <button type="button" className="button secondary small" onClick={props.onClose}>
          {t('jobs.close')}
        </button>
      </div>
      {summary && (
        <p className="log-dialog-meta">
          {/* A running run's badge is in its progress below. */}
          {!isActive(summary.status) && (
            <>
              <span className={`badge state badge-run-${summary.status}`}>
                {t(runStatusKey(summary))}
              </span>{' '}
            </>
          )}
          {t('jobs.queuedAt', { time: formatDateTime(summary.queuedAt) })}
          {summary.requestedBy ? t('jobs.by', { name: summary.requestedBy }) : ` (${summary.trigger})`}
          {summary.durationMs !== null && t('jobs.took', { time: formatDuration(summary.durationMs) })}
          {!isActive(summary.status) &&
            ` · ${t('jobs.rowsWritten', { count: summary.rowsWritten, n: formatCount(summary.rowsWritten) })}`}
        </p>
      )}
      {summary && isActive(summary.status) && (
        <RunProgress run={summary} label={t('jobs.progressOfThis', { title: props.pipelineTitle })} />
      )}
      {summary?.error && (
        <p className="run-error" role="note">
          <span className="error-code">{summary.error.code}</span> {summary.error.message}
        </p>
      )}
      {state.view.hidden > 0 && (
        <p className="log-hidden">
          {t('jobs.hiddenLines', {
            count: state.view.hidden,
            n: formatCount(state.view.hidden),
            shown: formatCount(state.view.lines.length),
          })}
        </p>
      )}
      <ol
        ref={list}
        className="log-lines"
        role="log"
        aria-label={t('jobs.logLines', { title: props.pipelineTitle })}
        aria-busy={loading}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {state.view.lines.map((line) => (
          <li key={line.seq} className={`log-line log-${line.level}`} data-seq={line.seq}>
            <time dateTime={line.at}>{formatLogTime(line.at)}</time>
            <span className="log-level">{line.level}</span>
            <span className="log-message">{line.message}</span>
          </li>
        ))}
        {!loading && state.caughtUp && state.view.lines.length === 0 && (
          <li className="log-empty">{t('jobs.noLogLines')}</li>
        )}
      </ol>
      <FormError error={error} />
      {(loading || !state.caughtUp || error) && (
        <div className="dialog-actions log-actions">
          {loading ? (
            <span className="section-summary">{t('common.loading')}</span>
          ) : (
            <button type="button" className="button secondary" onClick={() => void loadPages(AUTO_PAGES)}>
              {error ? t('common.retry') : t('jobs.loadMore')}
            </button>
          )}
        </div>
      )}
    </dialog>
  );
}
