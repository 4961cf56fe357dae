import { DashboardListPage } from '../pages/DashboardListPage.js';
import { DashboardPage } from '../pages/DashboardPage.js';
import { Link } from './Link.js';
import { matchRoute } from './routes.js';
import { useLocation } from './router.js';

export function App() {
  const location = useLocation();
  const route = matchRoute(location.pathname);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-bar">
        <Link href="/" className="brand">
          <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
            <path d="M8 24V14M16 24V8M24 24V18" />
          </svg>
          Trellis
        </Link>
      </header>
      {route.name === 'list' && <DashboardListPage />}
      {route.name === 'dashboard' && (
        <DashboardPage key={route.dashboardId} dashboardId={route.dashboardId} />
      )}
      {route.name === 'not-found' && (
        <main className="page" id="main">
          <div className="page-error">
            <h1>Not found</h1>
            <p>There is nothing at this address.</p>
            <p>
              <Link href="/" className="button secondary">
                All dashboards
              </Link>
            </p>
          </div>
        </main>
      )}
    </>
  );
}
