import { isApiError } from '../../api/api-error.js';
import { loginPath } from './next-path.js';

/**
 * Where an API failure should send the user, or undefined to let the page show it: a 401
 * UNAUTHENTICATED (no session, or it expired or was revoked) goes to the login page, which brings
 * them back to `current` afterwards. Wrong credentials (INVALID_CREDENTIALS) are the login form's
 * own error, and on the login page itself there is nowhere else to go.
 */
export function authRedirectFor(
  error: unknown,
  current: { pathname: string; search: string },
): string | undefined {
  if (!isApiError(error) || error.status !== 401 || error.code !== 'UNAUTHENTICATED') return undefined;
  if (current.pathname === '/login') return undefined;
  return loginPath(`${current.pathname}${current.search}`);
}
