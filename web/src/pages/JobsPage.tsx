import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { RunSummary } from '../../../contract/index.js';
import { pipelinesQuery } from '../api/jobs-queries.js';
import { ABILITY, can } from '../app/accounts/abilities.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { PipelineCard } from '../components/PipelineCard.js';
import { RunLogDialog } from '../components/RunLogDialog.js';
import { WidgetError } from '../components/WidgetStates.js';

/**
 * The organisation's pipelines: schedule, last run, live progress, Run now and Cancel (editors and
 * admins: the `pipelines:run` ability), history and logs. Live through the run events (useRunEvents).
 */
export function JobsPage() {
  const { t } = useTranslation();
  return (
    <AccountPage page="jobs" description={t('jobs.description')}>
      {(session) => <Pipelines canRun={can(session, ABILITY.pipelinesRun)} />}
    </AccountPage>
  );
}

function Pipelines({ canRun }: { canRun: boolean }) {
  const list = useQuery(pipelinesQuery());
  const { t } = useTranslation();
  const [log, setLog] = useState<{ runId: string; title: string } | null>(null);
  if (list.isPending) return <ListSkeleton rows={3} />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const pipelines = list.data.pipelines;
  if (pipelines.length === 0)
    return (
      <EmptyState title={t('jobs.emptyTitle')}>
        <p>
          <Trans i18nKey="jobs.emptyHelp" components={{ code: <code /> }} />
        </p>
      </EmptyState>
    );
  const showLog = (run: RunSummary, title: string) => setLog({ runId: run.id, title });
  return (
    <>
      {!canRun && <p className="section-summary jobs-note">{t('jobs.viewerNote')}</p>}
      <div className="pipeline-list">
        {pipelines.map((p) => (
          <PipelineCard
            key={p.id}
            pipeline={p}
            canRun={canRun}
            historyOpen={pipelines.length <= 3}
            onShowLog={showLog}
          />
        ))}
      </div>
      {log && (
        <RunLogDialog
          key={log.runId}
          runId={log.runId}
          pipelineTitle={log.title}
          onClose={() => setLog(null)}
        />
      )}
    </>
  );
}
