import type { Ability } from './abilities.js';
import { ABILITY } from './abilities.js';

/** The app's pages, parsed from a pathname. Kept pure so it is testable without a DOM. */
export type Route =
  | { readonly name: 'list' }
  | { readonly name: 'dashboard'; readonly dashboardId: string }
  | { readonly name: 'login' }
  | { readonly name: AccountPageName }
  | { readonly name: 'not-found' };

/** Pages that need a signed-in user, each with the ability it needs (if any). */
export const ACCOUNT_PAGES = {
  'account-sessions': { path: '/account/sessions', title: 'My sessions', ability: undefined },
  'account-tokens': { path: '/account/tokens', title: 'API tokens', ability: undefined },
  'admin-members': { path: '/admin/members', title: 'Members', ability: ABILITY.membersManage },
  'admin-organisation': {
    path: '/admin/organisation',
    title: 'Organisation',
    ability: ABILITY.membersManage,
  },
  'admin-audit': { path: '/admin/audit', title: 'Audit log', ability: ABILITY.auditRead },
} as const satisfies Record<string, { path: string; title: string; ability: Ability | undefined }>;
export type AccountPageName = keyof typeof ACCOUNT_PAGES;

const BY_PATH = new Map<string, AccountPageName>(
  Object.entries(ACCOUNT_PAGES).map(([name, page]) => [page.path, name as AccountPageName]),
);

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'list' };
  const trimmed = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
  if (trimmed === '/login') return { name: 'login' };
  const account = BY_PATH.get(trimmed);
  if (account) return { name: account };
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
