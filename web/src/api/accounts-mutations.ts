import { mutationOptions, type QueryClient } from '@tanstack/react-query';
import type { CreateTokenRequest, LoginRequest, Member, Role } from '../../../contract/index.js';
import type { Locale } from '../../../contract/locale.js';
import { accounts, type AccountsApi } from './accounts-api.js';
import { accountKeys, endSession, replaceSession } from './accounts-queries.js';
import { queryKeys } from './queries.js';

/**
 * Mutation factories for sessions and the organisation, beside the query factories whose cache they
 * change. The pattern, for every write in the app:
 *
 * - one function per mutation, `xMutation(queryClient, …ids, client = accounts)`, returning
 *   `mutationOptions({ mutationFn, onSuccess })`; the variables are what the user typed or picked
 *   (`mutationFn: (body: AddMemberRequest) => client.addMember(body)`), never read from a closure;
 * - `onSuccess` holds every cache consequence (setQueryData with the server's answer, invalidate
 *   the keys from accountKeys/jobKeys/queryKeys that the write makes stale), so a second screen doing
 *   the same write cannot forget one;
 * - the component calls `useMutation(xMutation(queryClient))` and passes screen effects only
 *   (navigate, close a dialog, clear a field) to `mutate(vars, { onSuccess, onError })`;
 * - a test beside it (accounts-mutations.test.ts) runs the factory through a real QueryClient
 *   against a fake fetch and asserts the request and what the cache holds afterwards.
 *
 * For example, the members page would add
 * `addMemberMutation(queryClient)` → `{ mutationFn: (body) => client.addMember(body),
 * onSuccess: () => invalidate accountKeys.members() and accountKeys.organisation() (member count) }`.
 */

/** Sign in: the new session replaces whatever was cached for whoever was signed in before. */
export function loginMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return mutationOptions({
    mutationFn: (body: LoginRequest) => client.login(body),
    onSuccess: (session) => replaceSession(queryClient, session),
  });
}

/**
 * The UI language, kept with the user: the cached session says it at once, and what the server titles
 * in the reader's language (dashboard list, definitions, search) is fetched again in the new one.
 */
export function setLocaleMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return mutationOptions({
    mutationFn: (locale: Locale) => client.setLocale(locale),
    onSuccess: async (_void, locale) => {
      queryClient.setQueryData(accountKeys.session(), (s) => (s ? { ...s, locale } : s));
      // Everything the server titles in the reader's language, asked again in the new one.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.dashboards() }),
        queryClient.invalidateQueries({ queryKey: ['dashboard'] }),
        queryClient.invalidateQueries({ queryKey: ['account', 'search'] }),
      ]);
    },
  });
}

/** Sign out: nothing of the account stays in the cache. A 401 (already signed out) is not an error page. */
export function signOutMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return mutationOptions({
    mutationFn: () => client.logout(),
    meta: { authOptional: true },
    onSuccess: () => endSession(queryClient),
  });
}

/** Switch organisation: everything cached belongs to the old tenant, so it is all reloaded. */
export function switchOrganisationMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return mutationOptions({
    mutationFn: (organisationId: string) => client.switchOrganisation(organisationId),
    onSuccess: (session) => replaceSession(queryClient, session),
  });
}

/** Rename the organisation: the page takes the answer; the header's name comes from the session and the list. */
export function renameOrganisationMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return mutationOptions({
    mutationFn: (name: string) => client.renameOrganisation(name),
    onSuccess: (organisation) => {
      queryClient.setQueryData(accountKeys.organisation(), organisation);
      void queryClient.invalidateQueries({ queryKey: accountKeys.session() });
      void queryClient.invalidateQueries({ queryKey: accountKeys.organisations() });
    },
  });
}

/* Members, invitations and own passwords (plain option objects; the lists they make stale are refreshed). */
const refresh =
  (queryClient: QueryClient, ...keys: (readonly unknown[])[]) =>
  () =>
    Promise.all(keys.map((queryKey) => queryClient.invalidateQueries({ queryKey })));

export function inviteMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return {
    mutationFn: (v: { email: string; role: Role }) => client.invite({ email: v.email.trim(), role: v.role }),
    onSettled: refresh(queryClient, accountKeys.invitations()),
  };
}

export function revokeInvitationMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return {
    mutationFn: (id: string) => client.revokeInvitation(id),
    onSettled: refresh(queryClient, accountKeys.invitations()),
  };
}

export function changeRoleMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return {
    mutationFn: (v: { userId: string; role: Role }) => client.updateMember(v.userId, { role: v.role }),
    onSettled: refresh(queryClient, accountKeys.members()),
  };
}

/** The confirmed member actions: disable, enable, remove, reset password. */
export type MemberAction =
  | { kind: 'disable' | 'enable' | 'remove'; member: Member }
  | { kind: 'password'; member: Member; password: string };

export function memberActionMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return {
    mutationFn: async (a: MemberAction) => {
      const id = a.member.userId;
      if (a.kind === 'password') await client.resetPassword(id, { password: a.password });
      else if (a.kind === 'disable' || a.kind === 'enable')
        await client.updateMember(id, { disabled: a.kind === 'disable' });
      else await client.removeMember(id);
    },
    onSettled: refresh(queryClient, accountKeys.members()),
  };
}

/** Accept signed in: the organisation switcher must list the new organisation. */
export function acceptInvitationMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return {
    mutationFn: (token: string) => client.acceptInvitation(token),
    onSuccess: refresh(queryClient, accountKeys.organisations()),
  };
}

export function registerInvitationMutation(client: AccountsApi = accounts) {
  return {
    mutationFn: (v: { token: string; password: string }) => client.registerInvitation(v.token, v.password),
  };
}

export function changePasswordMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return {
    mutationFn: (v: { currentPassword: string; newPassword: string }) => client.changePassword(v),
    // Other sessions and every API token ended: the lists on the account pages are stale.
    onSuccess: refresh(queryClient, accountKeys.sessions(), accountKeys.tokens()),
  };
}

export function requestPasswordResetMutation(client: AccountsApi = accounts) {
  return { mutationFn: (email: string) => client.requestPasswordReset(email.trim()) };
}

export function confirmPasswordResetMutation(client: AccountsApi = accounts) {
  return {
    mutationFn: (v: { token: string; password: string }) => client.confirmPasswordReset(v.token, v.password),
  };
}

/* Own sessions and API tokens (the account pages): each write refreshes its list, whatever the answer. */

export function revokeSessionMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return {
    mutationFn: (id: string) => client.revokeSession(id),
    onSettled: refresh(queryClient, accountKeys.sessions()),
  };
}

export function revokeOtherSessionsMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return {
    mutationFn: () => client.revokeOtherSessions(),
    onSettled: refresh(queryClient, accountKeys.sessions()),
  };
}

/** Create an API token: the answer carries the secret once; the list (without secrets) is refreshed. */
export function createTokenMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return {
    mutationFn: (body: CreateTokenRequest) => client.createToken({ ...body, name: body.name.trim() }),
    onSuccess: refresh(queryClient, accountKeys.tokens()),
  };
}

export function revokeTokenMutation(queryClient: QueryClient, client: AccountsApi = accounts) {
  return {
    mutationFn: (id: string) => client.revokeToken(id),
    onSettled: refresh(queryClient, accountKeys.tokens()),
  };
}
