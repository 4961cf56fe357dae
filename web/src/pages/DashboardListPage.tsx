import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { dashboardListQuery } from '../api/queries.js';
import type { ReactNode } from 'react';
import { Link } from '../app/routing/Link.js';
import { usePrefetchDashboard } from '../hooks/usePrefetchDashboard.js';
import { dashboardPath } from '../app/routing/routes.js';
import { PageError } from '../components/PageError.js';
import { useDocumentTitle } from '../hooks/useDocumentTitle.js';

/** Every dashboard of the project as a card: title, description, number of widgets. */
export function DashboardListPage() {
  const list = useQuery(dashboardListQuery());
  const { t } = useTranslation();
  useDocumentTitle(list.data ? `${list.data.project.title} · Trellis` : 'Trellis');

  if (list.isPending)
    return (
      <main className="page" aria-busy="true">
        <div className="skeleton skeleton-title" />
        <div className="card-grid">
          {Array.from({ length: 6 }, (_, i) => (
            <div key={i} className="skeleton skeleton-card" />
          ))}
        </div>
      </main>
    );
  if (list.isError) return <PageError error={list.error} onRetry={() => void list.refetch()} />;

  const { project, dashboards } = list.data;
  return (
    <main className="page" id="main">
      <header className="page-header">
        <h1>{project.title}</h1>
        <p className="page-description">{t('list.dashboards', { count: dashboards.length })}</p>
      </header>
      {dashboards.length === 0 ? (
        <div className="empty-page">
          <h2>{t('list.emptyTitle')}</h2>
          <p>{t('list.emptyHelp')}</p>
        </div>
      ) : (
        <ul className="card-grid" aria-label={t('nav.dashboards')}>
          {dashboards.map((d) => (
            <li key={d.id} className="dashboard-card" data-dashboard-id={d.id}>
              <DashboardLink id={d.id}>
                <h2 className="dashboard-card-title">{d.title}</h2>
                {d.description && <p className="dashboard-card-description">{d.description}</p>}
                <p className="dashboard-card-meta">{t('list.widgets', { count: d.widgetCount })}</p>
              </DashboardLink>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

/** A dashboard card's link: hovering or focusing it fetches the dashboard ahead (not on touch). */
function DashboardLink({ id, children }: { id: string; children: ReactNode }) {
  const prefetch = usePrefetchDashboard(id);
  return (
    <Link href={dashboardPath(id)} className="dashboard-card-link" {...prefetch}>
      {children}
    </Link>
  );
}
