import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { AuditEntryInfo } from '../../../contract/index.js';
import { auditQuery } from '../api/accounts-queries.js';
import { formatAuditDetail, formatDateTime } from '../app/accounts/account-format.js';
import {
  AUDIT_OUTCOMES,
  auditCsvUrl,
  auditFilterProblem,
  formatAuditFilters,
  normalizeAuditFilters,
  parseAuditFilters,
  type AuditFilters,
} from '../app/filters/audit-filters.js';
import { ACCOUNT_PAGES } from '../app/routing/routes.js';
import { navigate, useLocation } from '../app/routing/router.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { WidgetError } from '../components/WidgetStates.js';

/** Admins: the organisation's audit log, filtered (the filters live in the URL), paged, exportable. */
export function AdminAuditPage() {
  return (
    <AccountPage
      page="admin-audit"
      description="Sign-ins, sign-outs, member and token changes, exports and jobs: who did what, when, from where."
    >
      {() => <Audit />}
    </AccountPage>
  );
}

function Audit() {
  const location = useLocation();
  const filters = parseAuditFilters(location.search);
  const key = formatAuditFilters(filters);
  const problem = auditFilterProblem(filters);
  const log = useInfiniteQuery({ ...auditQuery(filters), enabled: !problem });
  const actions = log.data?.pages[0]?.actions ?? [];
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <>
      <AuditFilterForm key={key} filters={filters} actions={actions} problem={problem} />
      <section className="account-section" aria-labelledby="audit-title" aria-busy={log.isFetching}>
        <div className="section-toolbar">
          <h2 id="audit-title" className="section-title">
            Entries{' '}
            {log.data && (
              <span className="count">
                {entries.length}
                {log.hasNextPage ? '+' : ''}
              </span>
            )}
          </h2>
          <a className="button secondary" href={auditCsvUrl(filters)} download>
            Export CSV
          </a>
        </div>
        {problem ? null : log.isPending ? (
          <ListSkeleton rows={8} />
        ) : log.isError && entries.length === 0 ? (
          <WidgetError error={log.error} onRetry={() => void log.refetch()} retrying={log.isFetching} />
        ) : entries.length === 0 ? (
          <EmptyState title="No entries">
            <p>
              {key ? 'Nothing in the audit log matches these filters.' : 'The audit log is empty so far.'}
            </p>
          </EmptyState>
        ) : (
          <>
            <AuditTable entries={entries} />
            {log.isFetchNextPageError && (
              <WidgetError
                error={log.error}
                onRetry={() => void log.fetchNextPage()}
                retrying={log.isFetchingNextPage}
              />
            )}
            <div className="load-more">
              {log.hasNextPage ? (
                <button
                  type="button"
                  className="button secondary"
                  disabled={log.isFetchingNextPage}
                  onClick={() => void log.fetchNextPage()}
                >
                  {log.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              ) : (
                <p className="section-summary">End of the log for these filters.</p>
              )}
            </div>
          </>
        )}
      </section>
    </>
  );
}

function AuditFilterForm(props: {
  filters: AuditFilters;
  actions: readonly string[];
  problem?: string | undefined;
}) {
  const [draft, setDraft] = useState<AuditFilters>(props.filters);
  const set = (patch: Partial<Record<keyof AuditFilters, string>>) =>
    setDraft((d) => normalizeAuditFilters({ ...d, ...patch }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(`${ACCOUNT_PAGES['admin-audit'].path}${formatAuditFilters(draft)}`);
  };
  // The current action stays selectable while the list of actions is loading.
  const actions =
    draft.action && !props.actions.includes(draft.action) ? [draft.action, ...props.actions] : props.actions;
  return (
    <form className="filter-bar audit-filters" onSubmit={apply} aria-label="Audit filters">
      <div className="filter-controls">
        <div className="filter">
          <label className="filter-label" htmlFor="audit-action">
            Action
          </label>
          <select
            id="audit-action"
            value={draft.action ?? ''}
            onChange={(e) => set({ action: e.target.value })}
          >
            <option value="">Any action</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div className="filter text">
          <label className="filter-label" htmlFor="audit-actor">
            Actor
          </label>
          <input
            id="audit-actor"
            type="text"
            placeholder="email, user id or cli"
            maxLength={254}
            value={draft.actor ?? ''}
            onChange={(e) => set({ actor: e.target.value })}
          />
        </div>
        <div className="filter">
          <label className="filter-label" htmlFor="audit-outcome">
            Outcome
          </label>
          <select
            id="audit-outcome"
            value={draft.outcome ?? ''}
            onChange={(e) => set({ outcome: e.target.value })}
          >
            <option value="">Any outcome</option>
            {AUDIT_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o.replace('_', ' ')}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="filter range">
          <legend className="filter-label">Date</legend>
          <div className="range-inputs">
            <label className="range-side">
              From
              <input type="date" value={draft.from ?? ''} onChange={(e) => set({ from: e.target.value })} />
            </label>
            <label className="range-side">
              To
              <input
                type="date"
                value={draft.to ?? ''}
                aria-invalid={props.problem ? true : undefined}
                onChange={(e) => set({ to: e.target.value })}
              />
            </label>
          </div>
          {props.problem && (
            <p className="field-error" role="alert">
              {props.problem}
            </p>
          )}
        </fieldset>
      </div>
      <div className="filter-actions audit-filter-actions">
        <button type="submit" className="button">
          Apply
        </button>
        <button
          type="button"
          className="button ghost"
          onClick={() => {
            setDraft({});
            navigate(ACCOUNT_PAGES['admin-audit'].path);
          }}
        >
          Reset
        </button>
      </div>
    </form>
  );
}

function AuditTable({ entries }: { entries: readonly AuditEntryInfo[] }) {
  return (
    <div className="table-scroll">
      <table className="data-table account-table audit-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">IP address</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-audit-id={e.id}>
              <td>{formatDateTime(e.at)}</td>
              <td title={e.actor ?? undefined}>{e.actorEmail ?? e.actor ?? '—'}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.target ?? '—'}</td>
              <td>
                <span className={`badge state badge-outcome-${e.outcome}`}>
                  {e.outcome.replace('_', ' ')}
                </span>
              </td>
              <td>{e.ip ?? '—'}</td>
              <td className="prose audit-detail">
                {formatAuditDetail(e.detail)}
                {e.requestId && <span className="audit-request">request {e.requestId}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
