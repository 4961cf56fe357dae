import type { Ability } from '../accounts/abilities.js';
import { ABILITY } from '../accounts/abilities.js';

/** The app's pages, parsed from a pathname. Kept pure so it is testable without a DOM. */
export type Route =
  | { readonly name: 'list' }
  | { readonly name: 'dashboard'; readonly dashboardId: string }
  | { readonly name: 'login' }
  | { readonly name: 'invite' }
  | { readonly name: 'forgot-password' }
  | { readonly name: 'reset-password' }
  | { readonly name: AccountPageName }
  | { readonly name: 'jobs' }
  | { readonly name: 'exports' }
  | { readonly name: 'subscriptions' }
  | { readonly name: 'data' }
  | { readonly name: 'print-dashboard'; readonly dashboardId: string }
  | { readonly name: 'not-found' };

/** Pages that need a signed-in user, each with the ability it needs (if any). */
export const ACCOUNT_PAGES = {
  'account-sessions': { path: '/account/sessions', title: 'My sessions', ability: undefined },
  'account-tokens': { path: '/account/tokens', title: 'API tokens', ability: undefined },
  'account-password': { path: '/account/password', title: 'Password', ability: undefined },
  'admin-members': { path: '/admin/members', title: 'Members', ability: ABILITY.membersManage },
  'admin-organisation': {
    path: '/admin/organisation',
    title: 'Organisation',
    ability: ABILITY.membersManage,
  },
  'admin-audit': { path: '/admin/audit', title: 'Audit log', ability: ABILITY.auditRead },
} as const satisfies Record<string, { path: string; title: string; ability: Ability | undefined }>;
export type AccountPageName = keyof typeof ACCOUNT_PAGES;

/** Signed-in pages linked from the app bar itself (not the account menu); every member may open them. */
export const NAV_PAGES = {
  jobs: { path: '/jobs', title: 'Jobs', ability: undefined },
  exports: { path: '/exports', title: 'Exports', ability: undefined },
  subscriptions: { path: '/subscriptions', title: 'Subscriptions', ability: undefined },
  data: { path: '/data', title: 'Data', ability: ABILITY.uploadsWrite },
} as const satisfies Record<string, { path: string; title: string; ability: Ability | undefined }>;
export type NavPageName = keyof typeof NAV_PAGES;

/** Every page that needs a session, for the frame that checks it (components/AccountPage.tsx). */
export const SIGNED_IN_PAGES = { ...ACCOUNT_PAGES, ...NAV_PAGES };
export type SignedInPageName = AccountPageName | NavPageName;

const BY_PATH = new Map<string, AccountPageName>(
  Object.entries(ACCOUNT_PAGES).map(([name, page]) => [page.path, name as AccountPageName]),
);

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'list' };
  const trimmed = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
  if (trimmed === '/login') return { name: 'login' };
  // Pages reached from a link (invitation, e-mailed reset): open signed in or not.
  if (trimmed === '/invite') return { name: 'invite' };
  if (trimmed === '/forgot-password') return { name: 'forgot-password' };
  if (trimmed === '/reset-password') return { name: 'reset-password' };
  const account = BY_PATH.get(trimmed);
  if (account) return { name: account };
  if (trimmed === NAV_PAGES.jobs.path) return { name: 'jobs' };
  if (trimmed === NAV_PAGES.exports.path) return { name: 'exports' };
  if (trimmed === NAV_PAGES.subscriptions.path) return { name: 'subscriptions' };
  if (trimmed === NAV_PAGES.data.path) return { name: 'data' };
  // The print layout the PDF renderer opens (PrintDashboardPage): no app header, no session.
  const p = /^\/print\/d\/([^/]+)\/?$/.exec(pathname);
  if (p?.[1]) {
    try {
      return { name: 'print-dashboard', dashboardId: decodeURIComponent(p[1]) };
    } catch {
      return { name: 'not-found' };
    }
  }
  const m = /^\/d\/([^/]+)\/?$/.exec(pathname);
  if (m?.[1]) {
    try {
      return { name: 'dashboard', dashboardId: decodeURIComponent(m[1]) };
    } catch {
      // A malformed escape in the address bar is a page that does not exist, not a crash.
      return { name: 'not-found' };
    }
  }
  return { name: 'not-found' };
}

export function dashboardPath(dashboardId: string, search = ''): string {
  return `/d/${encodeURIComponent(dashboardId)}${search}`;
}
