import { lazy, Suspense, type ReactNode } from 'react';
import { loadPageTexts } from '../i18n/i18n.js';
import { AppHeader } from '../../components/AppHeader.js';
import { CommandLayer } from '../../components/CommandLayer.js';
import { DashboardListPage } from '../../pages/DashboardListPage.js';
import { DashboardPage } from '../../pages/DashboardPage.js';
import { LoginPage } from '../../pages/LoginPage.js';
import { Toaster } from '../../components/Toaster.js';
import { DevProblems } from '../../components/DevProblems.js';
import { useDevReload } from '../../hooks/useDevReload.js';
import { useRunEvents } from '../../hooks/useRunEvents.js';
import { useExportToasts } from '../../hooks/useExportToasts.js';
import { useSession } from '../../hooks/useSession.js';
import { useTranslation } from 'react-i18next';
import { useSessionLocale } from '../i18n/useLocale.js';
import { Link } from '../routing/Link.js';
import { matchRoute } from '../routing/routes.js';
import { useLocation } from '../routing/router.js';

/*
 * Only the pages people land on (the dashboard list, a dashboard, sign-in) are in the first chunk.
 * Every other page is a chunk of its own, fetched when it is opened: the first page carries i18n
 * and still stays within its 150 KB gzip budget (bench web-bundle).
 */
const AccountSessionsPage = lazy(() =>
  withPageTexts(import('../../pages/AccountSessionsPage.js')).then((m) => ({
    default: m.AccountSessionsPage,
  })),
);
const AccountTokensPage = lazy(() =>
  withPageTexts(import('../../pages/AccountTokensPage.js')).then((m) => ({ default: m.AccountTokensPage })),
);
const AdminAuditPage = lazy(() =>
  withPageTexts(import('../../pages/AdminAuditPage.js')).then((m) => ({ default: m.AdminAuditPage })),
);
const AdminMembersPage = lazy(() =>
  withPageTexts(import('../../pages/AdminMembersPage.js')).then((m) => ({ default: m.AdminMembersPage })),
);
const AdminOrganisationPage = lazy(() =>
  withPageTexts(import('../../pages/AdminOrganisationPage.js')).then((m) => ({
    default: m.AdminOrganisationPage,
  })),
);
const JobsPage = lazy(() =>
  withPageTexts(import('../../pages/JobsPage.js')).then((m) => ({ default: m.JobsPage })),
);
const ExportsPage = lazy(() =>
  withPageTexts(import('../../pages/ExportsPage.js')).then((m) => ({ default: m.ExportsPage })),
);
const SubscriptionsPage = lazy(() =>
  withPageTexts(import('../../pages/SubscriptionsPage.js')).then((m) => ({ default: m.SubscriptionsPage })),
);
const DataPage = lazy(() =>
  withPageTexts(import('../../pages/DataPage.js')).then((m) => ({ default: m.DataPage })),
);
const InvitePage = lazy(() =>
  withPageTexts(import('../../pages/InvitePage.js')).then((m) => ({ default: m.InvitePage })),
);
const AccountPasswordPage = lazy(() =>
  withPageTexts(import('../../pages/PasswordPages.js')).then((m) => ({ default: m.AccountPasswordPage })),
);
const ForgotPasswordPage = lazy(() =>
  withPageTexts(import('../../pages/PasswordPages.js')).then((m) => ({ default: m.ForgotPasswordPage })),
);
const ResetPasswordPage = lazy(() =>
  withPageTexts(import('../../pages/PasswordPages.js')).then((m) => ({ default: m.ResetPasswordPage })),
);

/** A lazy page arrives with its texts (the signed-in pages' part of the catalogue is a chunk too). */
function withPageTexts<T>(page: Promise<T>): Promise<T> {
  return Promise.all([page, loadPageTexts()]).then(([m]) => m);
}

/** What a lazily loaded page shows while its chunk arrives (usually a blink). */
function PageLoading({ label }: { label: string }): ReactNode {
  return (
    <main className="page" id="main">
      <p role="status">{label}</p>
    </main>
  );
}

export function App() {
  const location = useLocation();
  const route = matchRoute(location.pathname);
  // One run-event stream for the whole app: progress on the Jobs page, toasts and badges anywhere.
  const session = useSession();
  useRunEvents(session.data?.organisation.id);
  // Only under `trellis dev`: saved project files reload the page's data, or show their problems.
  const devStatus = useDevReload(session.data?.devReload === true);
  useExportToasts(Boolean(session.data));
  useSessionLocale();
  const { t } = useTranslation();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <AppHeader />
      {route.name === 'list' && <DashboardListPage />}
      {route.name === 'dashboard' && (
        <DashboardPage key={route.dashboardId} dashboardId={route.dashboardId} />
      )}
      {route.name === 'login' && <LoginPage />}
      <Suspense fallback={<PageLoading label={t('common.loading')} />}>
        {route.name === 'invite' && <InvitePage />}
        {route.name === 'forgot-password' && <ForgotPasswordPage />}
        {route.name === 'reset-password' && <ResetPasswordPage />}
        {route.name === 'account-password' && <AccountPasswordPage />}
        {route.name === 'account-sessions' && <AccountSessionsPage />}
        {route.name === 'account-tokens' && <AccountTokensPage />}
        {route.name === 'admin-members' && <AdminMembersPage />}
        {route.name === 'admin-organisation' && <AdminOrganisationPage />}
        {route.name === 'admin-audit' && <AdminAuditPage />}
        {route.name === 'jobs' && <JobsPage />}
        {route.name === 'exports' && <ExportsPage />}
        {route.name === 'subscriptions' && <SubscriptionsPage />}
        {route.name === 'data' && <DataPage />}
      </Suspense>
      {route.name === 'not-found' && (
        <main className="page" id="main">
          <div className="page-error">
            <h1>{t('common.notFound')}</h1>
            <p>{t('common.nothingHere')}</p>
            <p>
              <Link href="/" className="button secondary">
                {t('common.allDashboards')}
              </Link>
            </p>
          </div>
        </main>
      )}
      {session.data && <CommandLayer />}
      <Toaster />
      <DevProblems status={devStatus} />
    </>
  );
}
