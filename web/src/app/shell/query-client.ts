import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError } from '../../api/api-error.js';
import { endSession } from '../../api/accounts-queries.js';
import { authRedirectFor } from '../routing/auth-redirect.js';
import { navigate } from '../routing/router.js';

/**
 * Retries only what may succeed a moment later (network, busy or timed-out source). A 4xx or a
 * logged 500 would fail again the same way, so the widget shows its error and its Retry button at once.
 *
 * Any query or mutation answered 401 UNAUTHENTICATED sends the user to the login page (and back
 * afterwards), except those marked `meta.authOptional` (the header's "who am I", where no session
 * just means "show Sign in").
 */
export function createQueryClient(options: { signInOn401?: boolean } = {}): QueryClient {
  const onError = (error: unknown, meta: Record<string, unknown> | undefined) => {
    // The print page (PDF renderer) has no one to sign in: it shows the error and says so instead.
    if (meta?.authOptional || options.signInOn401 === false) return;
    const to = authRedirectFor(error, window.location);
    if (!to) return;
    // The session is gone: forget who we thought was signed in before showing the login page.
    endSession(client);
    navigate(to, { replace: true });
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (error, query) => onError(error, query.meta) }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => onError(error, mutation.meta),
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => failureCount < 2 && isApiError(error) && error.transient,
      },
    },
  });
  return client;
}
