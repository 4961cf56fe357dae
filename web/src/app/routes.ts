/** The app's two pages, parsed from a pathname. Kept pure so it is testable without a DOM. */
export type Route =
  | { readonly name: 'list' }
  | { readonly name: 'dashboard'; readonly dashboardId: string }
  | { readonly name: 'not-found' };

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'list' };
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
