import { queryOptions } from '@tanstack/react-query';
import type { SearchResponse } from '../../../contract/index.js';
import { api, type ApiClient } from './api-client.js';

/** The palette's search (GET /api/v1/search): the text only; the server knows what is searchable. */
export function searchQuery(q: string, client: ApiClient = api) {
  return queryOptions({
    // Under 'account': the hits are the organisation's, dropped on sign-out or switch.
    queryKey: ['account', 'search', q] as const,
    queryFn: ({ signal }) =>
      client.send<SearchResponse>('GET', `/search?${new URLSearchParams({ q })}`, undefined, signal),
    staleTime: 60_000,
    retry: false,
  });
}
