import { AppHeader } from '../../components/AppHeader.js';
import { CommandLayer } from '../../components/CommandLayer.js';
import { AccountSessionsPage } from '../../pages/AccountSessionsPage.js';
import { AccountTokensPage } from '../../pages/AccountTokensPage.js';
import { AdminAuditPage } from '../../pages/AdminAuditPage.js';
import { AdminMembersPage } from '../../pages/AdminMembersPage.js';
import { AdminOrganisationPage } from '../../pages/AdminOrganisationPage.js';
import { DashboardListPage } from '../../pages/DashboardListPage.js';
import { DashboardPage } from '../../pages/DashboardPage.js';
import { JobsPage } from '../../pages/JobsPage.js';
import { ExportsPage } from '../../pages/ExportsPage.js';
import { SubscriptionsPage } from '../../pages/SubscriptionsPage.js';
import { DataPage } from '../../pages/DataPage.js';
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
import { InvitePage } from '../../pages/InvitePage.js';
import { AccountPasswordPage, ForgotPasswordPage, ResetPasswordPage } from '../../pages/PasswordPages.js';

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
