import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
  return (
    <AccountPage page="admin-audit" description={t('audit.description')}>
      {() => <Audit />}
    </AccountPage>
  );
}

function Audit() {
  const { t } = useTranslation();
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
            {t('audit.entries')}{' '}
            {log.data && (
              <span className="count">
                {entries.length}
                {log.hasNextPage ? '+' : ''}
              </span>
            )}
          </h2>
          <a className="button secondary" href={auditCsvUrl(filters)} download>
            {t('audit.exportCsv')}
          </a>
        </div>
        {problem ? null : log.isPending ? (
          <ListSkeleton rows={8} />
        ) : log.isError && entries.length === 0 ? (
          <WidgetError error={log.error} onRetry={() => void log.refetch()} retrying={log.isFetching} />
        ) : entries.length === 0 ? (
          <EmptyState title={t('audit.noEntries')}>
            <p>{key ? t('audit.noMatches') : t('audit.emptyLog')}</p>
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
                  {log.isFetchingNextPage ? t('common.loading') : t('jobs.loadMore')}
                </button>
              ) : (
                <p className="section-summary">{t('audit.end')}</p>
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
  const { t } = useTranslation();
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
    <form className="filter-bar audit-filters" onSubmit={apply} aria-label={t('audit.filters')}>
      <div className="filter-controls">
        <div className="filter">
          <label className="filter-label" htmlFor="audit-action">
            {t('audit.action')}
          </label>
          <select
            id="audit-action"
            value={draft.action ?? ''}
            onChange={(e) => set({ action: e.target.value })}
          >
            <option value="">{t('audit.anyAction')}</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div className="filter text">
          <label className="filter-label" htmlFor="audit-actor">
            {t('audit.actor')}
          </label>
          <input
            id="audit-actor"
            type="text"
            placeholder={t('audit.actorPlaceholder')}
            maxLength={254}
            value={draft.actor ?? ''}
            onChange={(e) => set({ actor: e.target.value })}
          />
        </div>
        <div className="filter">
          <label className="filter-label" htmlFor="audit-outcome">
            {t('audit.outcome')}
          </label>
          <select
            id="audit-outcome"
            value={draft.outcome ?? ''}
            onChange={(e) => set({ outcome: e.target.value })}
          >
            <option value="">{t('audit.anyOutcome')}</option>
            {AUDIT_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {t(`audit.outcomes.${o}`)}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="filter range">
          <legend className="filter-label">{t('audit.date')}</legend>
          <div className="range-inputs">
            <label className="range-side">
              {t('filters.from')}
              <input type="date" value={draft.from ?? ''} onChange={(e) => set({ from: e.target.value })} />
            </label>
            <label className="range-side">
              {t('filters.to')}
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
              {t('audit.datesReversed')}
            </p>
          )}
        </fieldset>
      </div>
      <div className="filter-actions audit-filter-actions">
        <button type="submit" className="button">
          {t('audit.apply')}
        </button>
        <button
          type="button"
          className="button ghost"
          onClick={() => {
            setDraft({});
            navigate(ACCOUNT_PAGES['admin-audit'].path);
          }}
        >
          {t('audit.reset')}
        </button>
      </div>
    </form>
  );
}

function AuditTable({ entries }: { entries: readonly AuditEntryInfo[] }) {
  const { t } = useTranslation();
  return (
    <div className="table-scroll">
      <table className="data-table account-table audit-table">
        <thead>
          <tr>
            <th scope="col">{t('audit.time')}</th>
            <th scope="col">{t('audit.actor')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.target')}</th>
            <th scope="col">{t('audit.outcome')}</th>
            <th scope="col">{t('audit.ip')}</th>
            <th scope="col">{t('audit.details')}</th>
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
                  {isOutcome(e.outcome) ? t(`audit.outcomes.${e.outcome}`) : e.outcome}
                </span>
              </td>
              <td>{e.ip ?? '—'}</td>
              <td className="prose audit-detail">
                {formatAuditDetail(e.detail)}
                {e.requestId && (
                  <span className="audit-request">{t('audit.request', { id: e.requestId })}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const isOutcome = (o: string): o is (typeof AUDIT_OUTCOMES)[number] =>
  (AUDIT_OUTCOMES as readonly string[]).includes(o);
