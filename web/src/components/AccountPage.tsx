import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../../../contract/index.js';
import { isApiError } from '../api/api-error.js';
import { can } from '../app/accounts/abilities.js';
import { Link } from '../app/routing/Link.js';
import { loginPath } from '../app/routing/next-path.js';
import { SIGNED_IN_PAGES, type SignedInPageName } from '../app/routing/routes.js';
import { navigate } from '../app/routing/router.js';
import { useDocumentTitle } from '../hooks/useDocumentTitle.js';
import { useSession } from '../hooks/useSession.js';
import { PageError } from './PageError.js';

/**
 * The frame of every account page: it needs a session (none → the login page, then back here) and
 * the page's ability (missing → "You do not have access", never an empty page of 403s). The page
 * body renders only when both hold, and gets the session.
 */
export function AccountPage(props: {
  page: SignedInPageName;
  description?: string;
  children: (session: SessionInfo) => ReactNode;
}) {
  const meta = SIGNED_IN_PAGES[props.page];
  const session = useSession();
  const { t } = useTranslation();
  const title = t(`pages.${props.page}`);
  useDocumentTitle(t('pages.documentTitle', { title }));
  const signedOut = session.isError && isApiError(session.error) && session.error.status === 401;
  useEffect(() => {
    if (signedOut)
      navigate(loginPath(`${window.location.pathname}${window.location.search}`), { replace: true });
  }, [signedOut]);

  if (session.isPending || signedOut)
    return (
      <main className="page" id="main" aria-busy="true">
        <div className="skeleton skeleton-title" />
        <div className="skeleton skeleton-card" />
      </main>
    );
  if (session.isError) return <PageError error={session.error} onRetry={() => void session.refetch()} />;
  if (meta.ability && !can(session.data, meta.ability)) return <NoAccess title={title} />;
  return (
    <main className="page account-page" id="main" data-page={props.page}>
      <header className="page-header">
        <h1>{title}</h1>
        {props.description && <p className="page-description">{props.description}</p>}
      </header>
      {props.children(session.data)}
    </main>
  );
}

export function NoAccess({ title }: { title: string }) {
  const { t } = useTranslation();
  return (
    <main className="page" id="main">
      <div className="page-error" role="alert" data-testid="no-access">
        <h1>{t('pages.noAccess')}</h1>
        <p>{t('pages.noAccessHelp', { title })}</p>
        <p className="page-error-actions">
          <Link href="/" className="button secondary">
            {t('common.allDashboards')}
          </Link>
        </p>
      </div>
    </main>
  );
}

/** The loading, error and empty states of a list inside an account page. */
export function ListSkeleton({ rows = 4 }: { rows?: number }) {
  const { t } = useTranslation();
  return (
    <div className="skeleton-table" aria-busy="true" aria-label={t('common.loading')}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton skeleton-row" />
      ))}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
