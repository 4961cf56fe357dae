import { z } from 'zod';
import { role } from './session.schema.js';

/**
 * Membership by consent. An organisation admin invites an email with a role; the invitation is a
 * single-use link that expires. The answer to the admin is the same whether or not the address has
 * an account anywhere (no account facts). The invited person accepts while signed in as that
 * address (an existing user) or sets a password through the link (a new user).
 */

/** POST /api/v1/admin/invitations (admin). */
export const createInvitationRequest = z
  .object({ email: z.string().trim().toLowerCase().email().max(254), role })
  .strict();
export type CreateInvitationRequest = z.infer<typeof createInvitationRequest>;

/** A pending invitation as the inviting organisation's admins see it. */
export const invitation = z.object({
  id: z.string(),
  email: z.string(),
  role,
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type Invitation = z.infer<typeof invitation>;
export const invitationList = z.object({ invitations: z.array(invitation) });
export type InvitationList = z.infer<typeof invitationList>;

/**
 * The answer to an invite: `email` when the server sent the link by e-mail; `link` when it has no
 * SMTP settings, with the link's path (shown once, for the admin to pass on; never stored).
 */
export const createdInvitation = z.object({
  invitation,
  delivery: z.enum(['email', 'link']),
  linkPath: z.string().nullable(),
});
export type CreatedInvitation = z.infer<typeof createdInvitation>;

const token = z.string().min(20).max(100);

/** POST /api/v1/invitations/preview { token }: what the link offers (anyone holding it). */
export const invitationTokenRequest = z.object({ token }).strict();
export const invitationPreview = z.object({
  organisation: z.object({ name: z.string(), slug: z.string() }),
  email: z.string(),
  role,
  expiresAt: z.string(),
});
export type InvitationPreview = z.infer<typeof invitationPreview>;

/** POST /api/v1/invitations/accept { token } (signed in as the invited address): joins; answers the organisation. */
export const acceptedInvitation = z.object({
  organisation: z.object({ id: z.string(), name: z.string(), slug: z.string() }),
  role,
});
export type AcceptedInvitation = z.infer<typeof acceptedInvitation>;

/** POST /api/v1/invitations/register { token, password }: a new account for the invited address (201). */
export const registerRequest = z.object({ token, password: z.string().min(12).max(1024) }).strict();
export type RegisterRequest = z.infer<typeof registerRequest>;

/** POST /api/v1/session/password (signed in): change one's own password. */
export const changePasswordRequest = z
  .object({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(12).max(1024) })
  .strict();
export type ChangePasswordRequest = z.infer<typeof changePasswordRequest>;

/** POST /api/v1/password-resets { email }: "Forgot password?" — always 202 (or 501 without SMTP). */
export const forgotPasswordRequest = z.object({ email: z.string().trim().toLowerCase().max(254) }).strict();
/** POST /api/v1/password-resets/confirm { token, password }: a new password through the e-mailed link (204). */
export const confirmResetRequest = z.object({ token, password: z.string().min(12).max(1024) }).strict();
export type ConfirmResetRequest = z.infer<typeof confirmResetRequest>;
