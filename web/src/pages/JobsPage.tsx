import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
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
  return (
    <AccountPage
      page="jobs"
      description="The pipelines that load this project's data: when they run, how the last run went, and the one running now."
    >
      {(session) => <Pipelines canRun={can(session, ABILITY.pipelinesRun)} />}
    </AccountPage>
  );
}

function Pipelines({ canRun }: { canRun: boolean }) {
  const list = useQuery(pipelinesQuery());
  const [log, setLog] = useState<{ runId: string; title: string } | null>(null);
  if (list.isPending) return <ListSkeleton rows={3} />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const pipelines = list.data.pipelines;
  if (pipelines.length === 0)
    return (
      <EmptyState title="No pipelines">
        <p>
          No pipeline loads data for your organisation in this project. Add a pipeline file under{' '}
          <code>pipelines/</code> in the project folder, check it with <code>trellis check</code>, and restart
          the server.
        </p>
      </EmptyState>
    );
  const showLog = (run: RunSummary, title: string) => setLog({ runId: run.id, title });
  return (
    <>
      {!canRun && (
        <p className="section-summary jobs-note">
          Viewers see the pipelines and their runs; editors and admins can start and cancel them.
        </p>
      )}
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
