import { infiniteQueryOptions, queryOptions, type QueryClient } from '@tanstack/react-query';
import type { AuditPage, SessionInfo } from '../../../contract/index.js';
import { auditQueryString, type AuditFilters } from '../app/filters/audit-filters.js';
import { accounts, type AccountsApi } from './accounts-api.js';

/**
 * queryOptions factories for the account pages. Everything lives under the 'account' prefix, so
 * signing in, out or switching organisation drops it all at once (another user's or tenant's data
 * must never flash on screen).
 */
export const accountKeys = {
  all: () => ['account'] as const,
  session: () => ['account', 'session'] as const,
  organisations: () => ['account', 'organisations'] as const,
  sessions: () => ['account', 'sessions'] as const,
  tokens: () => ['account', 'tokens'] as const,
  members: () => ['account', 'members'] as const,
  invitations: () => ['account', 'invitations'] as const,
  organisation: () => ['account', 'organisation'] as const,
  audit: (filters: AuditFilters) => ['account', 'audit', filters] as const,
};

/**
 * Who is signed in. `authOptional`: a 401 here means "nobody", which the header shows as a Sign in
 * link on public pages; the pages that need a session redirect themselves (RequireSession).
 */
export function sessionQuery(client: AccountsApi = accounts) {
  return queryOptions({
    queryKey: accountKeys.session(),
    queryFn: ({ signal }) => client.session(signal),
    staleTime: 60_000,
    retry: false,
    meta: { authOptional: true },
  });
}

export function myOrganisationsQuery(client: AccountsApi = accounts) {
  return queryOptions({
    queryKey: accountKeys.organisations(),
    queryFn: ({ signal }) => client.organisations(signal),
    staleTime: 5 * 60_000,
  });
}

export function mySessionsQuery(client: AccountsApi = accounts) {
  return queryOptions({
    queryKey: accountKeys.sessions(),
    queryFn: ({ signal }) => client.mySessions(signal),
    staleTime: 0,
  });
}

export function tokensQuery(client: AccountsApi = accounts) {
  return queryOptions({
    queryKey: accountKeys.tokens(),
    queryFn: ({ signal }) => client.tokens(signal),
    staleTime: 0,
  });
}

export function membersQuery(client: AccountsApi = accounts) {
  return queryOptions({
    queryKey: accountKeys.members(),
    queryFn: ({ signal }) => client.members(signal),
    staleTime: 0,
  });
}

export function invitationsQuery(client: AccountsApi = accounts) {
  return queryOptions({
    queryKey: accountKeys.invitations(),
    queryFn: ({ signal }) => client.invitations(signal),
    staleTime: 0,
  });
}

export function organisationQuery(client: AccountsApi = accounts) {
  return queryOptions({
    queryKey: accountKeys.organisation(),
    queryFn: ({ signal }) => client.organisation(signal),
    staleTime: 0,
  });
}

/** The audit log, newest first, one page per "Load more" (the server's nextCursor). */
export function auditQuery(filters: AuditFilters, client: AccountsApi = accounts) {
  return infiniteQueryOptions({
    queryKey: accountKeys.audit(filters),
    queryFn: ({ signal, pageParam }) => client.audit(auditQueryString(filters, pageParam), signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: AuditPage) => last.nextCursor ?? undefined,
    staleTime: 0,
  });
}

const isSessionKey = (key: readonly unknown[]) => key[0] === 'account' && key[1] === 'session';

/**
 * A new session (sign-in, organisation switch): nothing cached for whoever or wherever was before
 * may show. Every other query is reset (pages on screen load again, with the new tenant's data) and
 * the session query takes the server's answer in place, so its observers (the header) update at once.
 */
export function replaceSession(queryClient: QueryClient, session: SessionInfo): void {
  queryClient.setQueryData(accountKeys.session(), session);
  void queryClient.resetQueries({ predicate: (q) => !isSessionKey(q.queryKey) });
}

/** Signed out: drop everything, and let the session query learn (401) that nobody is signed in. */
export function endSession(queryClient: QueryClient): void {
  queryClient.removeQueries({ predicate: (q) => !isSessionKey(q.queryKey) });
  void queryClient.resetQueries({ queryKey: accountKeys.session() });
}
