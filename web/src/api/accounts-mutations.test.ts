import { MutationObserver, QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { OrganisationInfo, SessionInfo } from '../../../contract/index.js';
import { accountsApi } from './accounts-api.js';
import {
  acceptInvitationMutation,
  createTokenMutation,
  loginMutation,
  renameOrganisationMutation,
  revokeOtherSessionsMutation,
  revokeSessionMutation,
  revokeTokenMutation,
  signOutMutation,
  switchOrganisationMutation,
} from './accounts-mutations.js';
import { accountKeys } from './accounts-queries.js';
import { jsonResponse, noContent, recordingClient } from './api-test-client.js';
import { queryKeys } from './queries.js';

const session = (org: string): SessionInfo => ({
  user: { id: 'u1', email: 'a@b.c' },
  organisation: { id: org, slug: org, name: org },
  role: 'admin',
  abilities: ['members:manage'],
  expiresAt: '2026-01-05T21:00:00Z',
  locale: 'en',
  idleTimeoutSeconds: 1800,
  csrfToken: 'csrf',
});

/** A cache as a signed-in admin of acme leaves it: the session, a member list, dashboards. */
function acmeCache() {
  const queryClient = new QueryClient();
  queryClient.setQueryData(accountKeys.session(), session('acme'));
  queryClient.setQueryData(accountKeys.organisations(), { organisations: [] });
  queryClient.setQueryData(accountKeys.members(), { members: [{ email: 'acme-only' }] });
  queryClient.setQueryData(queryKeys.dashboards(), { dashboards: ['acme data'] });
  return queryClient;
}

describe('session mutations', () => {
  it('signing in posts the credentials and keeps only the new session in the cache', async () => {
    const queryClient = acmeCache();
    const { client, calls } = recordingClient(() => jsonResponse(session('globex')));
    await new MutationObserver(queryClient, loginMutation(queryClient, accountsApi(client))).mutate({
      email: 'a@b.c',
      password: 'pw',
    });
    expect(calls).toEqual([{ call: 'POST /api/v1/session', body: { email: 'a@b.c', password: 'pw' } }]);
    expect(queryClient.getQueryData(accountKeys.session())).toMatchObject({ organisation: { id: 'globex' } });
    expect(queryClient.getQueryData(accountKeys.members())).toBeUndefined();
    expect(queryClient.getQueryData(queryKeys.dashboards())).toBeUndefined();
  });

  it('a refused sign-in changes nothing in the cache', async () => {
    const queryClient = acmeCache();
    const { client } = recordingClient(() =>
      jsonResponse({ error: 'INVALID_CREDENTIALS', message: 'No.', requestId: 'q' }, 401),
    );
    const observer = new MutationObserver(queryClient, loginMutation(queryClient, accountsApi(client)));
    await expect(observer.mutate({ email: 'a@b.c', password: 'x' })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(queryClient.getQueryData(accountKeys.members())).toEqual({ members: [{ email: 'acme-only' }] });
  });

  it('signing out deletes the session and forgets everything; a 401 there is not an error page', async () => {
    const queryClient = acmeCache();
    const { client, calls } = recordingClient(() => noContent());
    const options = signOutMutation(queryClient, accountsApi(client));
    expect(options.meta).toEqual({ authOptional: true });
    await new MutationObserver(queryClient, options).mutate();
    expect(calls.map((c) => c.call)).toEqual(['DELETE /api/v1/session']);
    expect(queryClient.getQueryData(accountKeys.session())).toBeUndefined();
    expect(queryClient.getQueryData(accountKeys.members())).toBeUndefined();
    expect(queryClient.getQueryData(queryKeys.dashboards())).toBeUndefined();
  });

  it('switching organisation posts its id and drops the old tenant’s data', async () => {
    const queryClient = acmeCache();
    const { client, calls } = recordingClient(() => jsonResponse(session('globex')));
    await new MutationObserver(
      queryClient,
      switchOrganisationMutation(queryClient, accountsApi(client)),
    ).mutate('globex');
    expect(calls).toEqual([
      { call: 'POST /api/v1/session/organisation', body: { organisationId: 'globex' } },
    ]);
    expect(queryClient.getQueryData(accountKeys.session())).toMatchObject({ organisation: { id: 'globex' } });
    expect(queryClient.getQueryData(accountKeys.members())).toBeUndefined();
    expect(queryClient.getQueryData(queryKeys.dashboards())).toBeUndefined();
  });
});

describe('renameOrganisationMutation', () => {
  it('patches the name, shows the answer and refetches what the header shows the name from', async () => {
    const queryClient = acmeCache();
    const renamed: OrganisationInfo = {
      id: 'acme',
      slug: 'acme',
      name: 'Acme Labs',
      memberCount: 3,
      createdAt: '2026-01-01T00:00:00Z',
    };
    const { client, calls } = recordingClient(() => jsonResponse(renamed));
    await new MutationObserver(
      queryClient,
      renameOrganisationMutation(queryClient, accountsApi(client)),
    ).mutate('Acme Labs');
    expect(calls).toEqual([{ call: 'PATCH /api/v1/admin/organisation', body: { name: 'Acme Labs' } }]);
    expect(queryClient.getQueryData(accountKeys.organisation())).toEqual(renamed);
    expect(queryClient.getQueryState(accountKeys.session())?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(accountKeys.organisations())?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(accountKeys.members())?.isInvalidated).toBe(false);
  });
});

describe('own sessions, tokens and invitations', () => {
  /** The account pages' cache: the session list, the token list and the organisations, all fresh. */
  function accountCache() {
    const queryClient = acmeCache();
    queryClient.setQueryData(accountKeys.sessions(), { sessions: [] });
    queryClient.setQueryData(accountKeys.tokens(), { tokens: [] });
    return queryClient;
  }
  const stale = (queryClient: QueryClient, key: readonly unknown[]) =>
    queryClient.getQueryState(key)?.isInvalidated;

  it('revoking one session deletes it by id and refreshes the session list only', async () => {
    const queryClient = accountCache();
    const { client, calls } = recordingClient(() => noContent());
    await new MutationObserver(queryClient, revokeSessionMutation(queryClient, accountsApi(client))).mutate(
      's/1',
    );
    expect(calls).toEqual([{ call: 'DELETE /api/v1/session/sessions/s%2F1', body: undefined }]);
    expect(stale(queryClient, accountKeys.sessions())).toBe(true);
    expect(stale(queryClient, accountKeys.tokens())).toBe(false);
  });

  it('a refused revoke still refreshes the list (the session may be gone already)', async () => {
    const queryClient = accountCache();
    const { client } = recordingClient(() =>
      jsonResponse({ error: 'NOT_FOUND', message: 'No.', requestId: 'q' }, 404),
    );
    const observer = new MutationObserver(
      queryClient,
      revokeSessionMutation(queryClient, accountsApi(client)),
    );
    await expect(observer.mutate('gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(stale(queryClient, accountKeys.sessions())).toBe(true);
  });

  it('signing out everywhere else deletes the other sessions and refreshes the list', async () => {
    const queryClient = accountCache();
    const { client, calls } = recordingClient(() => noContent());
    await new MutationObserver(
      queryClient,
      revokeOtherSessionsMutation(queryClient, accountsApi(client)),
    ).mutate();
    expect(calls.map((c) => c.call)).toEqual(['DELETE /api/v1/session/sessions']);
    expect(stale(queryClient, accountKeys.sessions())).toBe(true);
  });

  it('creating a token posts the trimmed name, answers the secret once and refreshes the token list', async () => {
    const queryClient = accountCache();
    const created = {
      id: 't1',
      name: 'ci',
      role: 'viewer',
      prefix: 'trl_ab',
      createdAt: '2026-01-01T00:00:00Z',
      expiresAt: '2026-01-31T00:00:00Z',
      lastUsedAt: null,
      secret: 'trl_secret',
    };
    const { client, calls } = recordingClient(() => jsonResponse(created, 201));
    const answer = await new MutationObserver(
      queryClient,
      createTokenMutation(queryClient, accountsApi(client)),
    ).mutate({ name: '  ci  ', role: 'viewer', expiresInDays: 30 });
    expect(calls).toEqual([
      { call: 'POST /api/v1/tokens', body: { name: 'ci', role: 'viewer', expiresInDays: 30 } },
    ]);
    expect(answer).toMatchObject({ secret: 'trl_secret' });
    expect(stale(queryClient, accountKeys.tokens())).toBe(true);
    expect(stale(queryClient, accountKeys.sessions())).toBe(false);
  });

  it('revoking a token deletes it by id and refreshes the token list', async () => {
    const queryClient = accountCache();
    const { client, calls } = recordingClient(() => noContent());
    await new MutationObserver(queryClient, revokeTokenMutation(queryClient, accountsApi(client))).mutate(
      't1',
    );
    expect(calls.map((c) => c.call)).toEqual(['DELETE /api/v1/tokens/t1']);
    expect(stale(queryClient, accountKeys.tokens())).toBe(true);
  });

  it('accepting an invitation refreshes the organisations the switcher lists', async () => {
    const queryClient = accountCache();
    const { client, calls } = recordingClient(() =>
      jsonResponse({ organisation: { id: 'o2', slug: 'globex', name: 'Globex' }, role: 'viewer' }),
    );
    await new MutationObserver(
      queryClient,
      acceptInvitationMutation(queryClient, accountsApi(client)),
    ).mutate('tok');
    expect(calls).toEqual([{ call: 'POST /api/v1/invitations/accept', body: { token: 'tok' } }]);
    expect(stale(queryClient, accountKeys.organisations())).toBe(true);
    expect(stale(queryClient, accountKeys.members())).toBe(false);
  });
});
