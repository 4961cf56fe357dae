import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { SessionInfo } from '../../../contract/index.js';
import { signOutMutation, switchOrganisationMutation } from '../api/accounts-mutations.js';
import { myOrganisationsQuery } from '../api/accounts-queries.js';
import { ABILITY, can } from '../app/accounts/abilities.js';
import { Link } from '../app/routing/Link.js';
import { loginPath } from '../app/routing/next-path.js';
import { ACCOUNT_PAGES, NAV_PAGES } from '../app/routing/routes.js';
import { navigate, useLocation } from '../app/routing/router.js';
import { useDismissable } from '../hooks/useDismissable.js';
import { useSession } from '../hooks/useSession.js';
import { FormError } from './FormError.js';
import { ThemeChoice } from './ThemeChoice.js';
import { LanguageChoice } from './LanguageChoice.js';
import { useTranslation } from 'react-i18next';

/** The app bar: brand, and who is signed in where (organisation switcher, role, account menu). */
export function AppHeader() {
  const session = useSession();
  const location = useLocation();
  const { t } = useTranslation();
  return (
    <header className="app-bar">
      <Link href="/" className="brand">
        <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
          <path d="M8 24V14M16 24V8M24 24V18" />
        </svg>
        Trellis
      </Link>
      {session.data && (
        <MainNav pathname={location.pathname} canUpload={can(session.data, ABILITY.uploadsWrite)} />
      )}
      <div className="app-bar-end">
        {session.data ? (
          <SignedIn session={session.data} />
        ) : (
          session.isError &&
          location.pathname !== '/login' && (
            <Link href={loginPath(`${location.pathname}${location.search}`)} className="button small">
              {t('common.signIn')}
            </Link>
          )
        )}
      </div>
    </header>
  );
}

/** The signed-in member's pages beside the brand: dashboards, jobs, exports, subscriptions and (uploaders) data. */
function MainNav({ pathname, canUpload }: { pathname: string; canUpload: boolean }) {
  const jobs = NAV_PAGES.jobs.path;
  const onJobs = pathname === jobs || pathname === `${jobs}/`;
  const exportsPath = NAV_PAGES.exports.path;
  const onExports = pathname === exportsPath || pathname === `${exportsPath}/`;
  const subs = NAV_PAGES.subscriptions.path;
  const onSubs = pathname === subs || pathname === `${subs}/`;
  const data = NAV_PAGES.data.path;
  const onData = pathname === data || pathname === `${data}/`;
  const onDashboards = pathname === '/';
  const { t } = useTranslation();
  return (
    <nav className="main-nav" aria-label={t('nav.main')}>
      <Link href="/" aria-current={onDashboards ? 'page' : undefined}>
        {t('nav.dashboards')}
      </Link>
      <Link href={jobs} aria-current={onJobs ? 'page' : undefined}>
        {t('nav.jobs')}
      </Link>
      <Link href={exportsPath} aria-current={onExports ? 'page' : undefined}>
        {t('nav.exports')}
      </Link>
      <Link href={subs} aria-current={onSubs ? 'page' : undefined}>
        {t('pages.subscriptions')}
      </Link>
      {canUpload && (
        <Link href={data} aria-current={onData ? 'page' : undefined}>
          {t('nav.data')}
        </Link>
      )}
    </nav>
  );
}

function SignedIn({ session }: { session: SessionInfo }) {
  const queryClient = useQueryClient();
  const location = useLocation();
  const menu = useRef<HTMLDetailsElement>(null);
  // Close the menu after in-app navigation, as a page load would.
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [location.pathname]);
  // ...and on a click elsewhere or Escape (focus back on its button), like any menu.
  useDismissable(menu);

  const signOut = useMutation(signOutMutation(queryClient));
  const { t } = useTranslation();
  const links = (Object.keys(ACCOUNT_PAGES) as (keyof typeof ACCOUNT_PAGES)[]).filter((name) => {
    const ability = ACCOUNT_PAGES[name].ability;
    return !ability || can(session, ability);
  });
  return (
    <>
      <OrganisationSwitcher session={session} />
      <span className="role-badge" title={t('nav.yourRole')}>
        {t(`roles.${session.role}`)}
      </span>
      <details className="account-menu" ref={menu}>
        <summary
          className="account-menu-button"
          aria-label={t('nav.accountMenu', { email: session.user.email })}
        >
          <span className="account-email">{session.user.email}</span>
          <span aria-hidden="true" className="account-caret">
            ▾
          </span>
        </summary>
        <div className="account-menu-popup">
          <nav aria-label={t('nav.account')}>
            <ul>
              {links.map((name) => (
                <li key={name}>
                  <Link href={ACCOUNT_PAGES[name].path}>{t(`pages.${name}`)}</Link>
                </li>
              ))}
            </ul>
          </nav>
          <ThemeChoice />
          <LanguageChoice />
          <button
            type="button"
            className="button secondary small sign-out"
            onClick={() =>
              signOut.mutate(undefined, { onSuccess: () => navigate('/login', { replace: true }) })
            }
            disabled={signOut.isPending}
          >
            {signOut.isPending ? t('common.signingOut') : t('common.signOut')}
          </button>
          <FormError error={signOut.error} />
        </div>
      </details>
    </>
  );
}

/** The organisation's name, or a switcher when the user belongs to several. */
function OrganisationSwitcher({ session }: { session: SessionInfo }) {
  const queryClient = useQueryClient();
  const orgs = useQuery(myOrganisationsQuery());
  const switchOrg = useMutation(switchOrganisationMutation(queryClient));
  const list = orgs.data?.organisations ?? [];
  const { t } = useTranslation();
  if (list.length < 2)
    return (
      <span className="org-name" title={t('nav.organisation')}>
        {session.organisation.name}
      </span>
    );
  return (
    <div className="org-switcher">
      <label htmlFor="org-switch" className="visually-hidden">
        {t('nav.organisation')}
      </label>
      <select
        id="org-switch"
        value={session.organisation.id}
        disabled={switchOrg.isPending}
        onChange={(e) => switchOrg.mutate(e.target.value)}
      >
        {list.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name} ({t(`roles.${o.role}`)})
          </option>
        ))}
      </select>
      {switchOrg.isError && (
        <span className="org-switch-error" role="alert">
          {switchOrg.error.message}
        </span>
      )}
    </div>
  );
}
