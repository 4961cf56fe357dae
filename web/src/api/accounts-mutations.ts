import type { QueryClient } from '@tanstack/react-query';
import type { Member, Role } from '../../../contract/index.js';
import { accounts, type AccountsApi } from './accounts-api.js';
import { accountKeys } from './accounts-queries.js';

/**
 * Mutation factories for the account pages, beside the query factories (accounts-queries.ts): each
 * says what it calls and which cached lists it makes stale, so pages only wire them to buttons.
 * Plain objects for useMutation, testable without React.
 */
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

export function acceptInvitationMutation(client: AccountsApi = accounts) {
  return { mutationFn: (token: string) => client.acceptInvitation(token) };
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
