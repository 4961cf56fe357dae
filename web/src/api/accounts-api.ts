import type { Locale } from '../../../contract/locale.js';
import type {
  AcceptedInvitation,
  ApiTokenList,
  ChangePasswordRequest,
  CreatedInvitation,
  CreateInvitationRequest,
  InvitationList,
  InvitationPreview,
  AuditPage,
  CreatedToken,
  CreateTokenRequest,
  LoginRequest,
  MemberList,
  MyOrganisations,
  MySessionList,
  OrganisationInfo,
  ResetPasswordRequest,
  SessionInfo,
  UpdateMemberRequest,
} from '../../../contract/index.js';
import { api, type ApiClient } from './api-client.js';

/**
 * Typed calls of the account-management API (contract/session.schema.ts, contract/admin.schema.ts),
 * on the shared ApiClient so every call gets the same errors, request ids and CSRF header. Only type
 * imports from contract/: zod itself stays out of the bundle (the CSP forbids what it probes).
 */
export function accountsApi(client: ApiClient = api) {
  const seg = encodeURIComponent;
  return {
    session: (signal?: AbortSignal) => client.send<SessionInfo>('GET', '/session', undefined, signal),
    login: (body: LoginRequest) => client.send<SessionInfo>('POST', '/session', body),
    logout: () => client.send<void>('DELETE', '/session'),
    /** Keep the signed-in user's UI language (every organisation, every browser). */
    setLocale: (locale: Locale) => client.send<void>('PUT', '/session/locale', { locale }),
    organisations: (signal?: AbortSignal) =>
      client.send<MyOrganisations>('GET', '/session/organisations', undefined, signal),
    switchOrganisation: (organisationId: string) =>
      client.send<SessionInfo>('POST', '/session/organisation', { organisationId }),

    mySessions: (signal?: AbortSignal) =>
      client.send<MySessionList>('GET', '/session/sessions', undefined, signal),
    revokeSession: (id: string) => client.send<void>('DELETE', `/session/sessions/${seg(id)}`),
    revokeOtherSessions: () => client.send<void>('DELETE', '/session/sessions'),

    tokens: (signal?: AbortSignal) => client.send<ApiTokenList>('GET', '/tokens', undefined, signal),
    createToken: (body: CreateTokenRequest) => client.send<CreatedToken>('POST', '/tokens', body),
    revokeToken: (id: string) => client.send<void>('DELETE', `/tokens/${seg(id)}`),

    members: (signal?: AbortSignal) => client.send<MemberList>('GET', '/admin/members', undefined, signal),
    updateMember: (userId: string, body: UpdateMemberRequest) =>
      client.send<unknown>('PATCH', `/admin/members/${seg(userId)}`, body),
    removeMember: (userId: string) => client.send<void>('DELETE', `/admin/members/${seg(userId)}`),
    resetPassword: (userId: string, body: ResetPasswordRequest) =>
      client.send<void>('POST', `/admin/members/${seg(userId)}/password`, body),

    invitations: (signal?: AbortSignal) =>
      client.send<InvitationList>('GET', '/admin/invitations', undefined, signal),
    invite: (body: CreateInvitationRequest) =>
      client.send<CreatedInvitation>('POST', '/admin/invitations', body),
    revokeInvitation: (id: string) => client.send<void>('DELETE', `/admin/invitations/${seg(id)}`),
    /** The invitee's side: the token goes in the body, never in an API URL. */
    previewInvitation: (token: string) =>
      client.send<InvitationPreview>('POST', '/invitations/preview', { token }),
    acceptInvitation: (token: string) =>
      client.send<AcceptedInvitation>('POST', '/invitations/accept', { token }),
    registerInvitation: (token: string, password: string) =>
      client.send<{ email: string }>('POST', '/invitations/register', { token, password }),

    changePassword: (body: ChangePasswordRequest) => client.send<void>('POST', '/session/password', body),
    requestPasswordReset: (email: string) =>
      client.send<{ accepted: true }>('POST', '/password-resets', { email }),
    confirmPasswordReset: (token: string, password: string) =>
      client.send<void>('POST', '/password-resets/confirm', { token, password }),

    organisation: (signal?: AbortSignal) =>
      client.send<OrganisationInfo>('GET', '/admin/organisation', undefined, signal),
    renameOrganisation: (name: string) =>
      client.send<OrganisationInfo>('PATCH', '/admin/organisation', { name }),

    /** `query` is the output of auditQueryString (filters + cursor), "" or starting with "?". */
    audit: (query: string, signal?: AbortSignal) =>
      client.send<AuditPage>('GET', `/audit${query}`, undefined, signal),
  };
}

export type AccountsApi = ReturnType<typeof accountsApi>;
export const accounts = accountsApi();
