import { QueryClient } from '@tanstack/react-query';
import { isApiError } from '../api/api-error.js';

/**
 * Retries only what may succeed a moment later (network, busy or timed-out source). A 4xx or a
 * logged 500 would fail again the same way, so the widget shows its error and its Retry button at once.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        gcTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => failureCount < 2 && isApiError(error) && error.transient,
      },
    },
  });
}
