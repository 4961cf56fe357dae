import { z } from 'zod';
import { role } from './session.schema.js';
import { organisationName } from './organisation-name.js';

/**
 * The account-management API: members of the caller's organisation, their own sessions and API
 * tokens, and the audit log. Every list is bounded (`limit`, cursors) and scoped to the organisation
 * of the caller's session; ids are opaque strings. Times are ISO 8601.
 */

/** GET /api/v1/admin/members (admin): the organisation's memberships. */
export const member = z.object({
  userId: z.string(),
  email: z.string(),
  role,
  /** Set when the user is disabled (everywhere, not only in this organisation). */
  disabledAt: z.string().nullable(),
  /** When the member joined this organisation. */
  createdAt: z.string(),
  /** The last sign-in to THIS organisation (sign-ins elsewhere are not this organisation's business). */
  lastLoginAt: z.string().nullable(),
  /**
   * Whether this organisation may reset the password of, disable or enable the account: only when it
   * is the user's one organisation (otherwise ACCOUNT_NOT_MANAGED; the user manages it themselves).
   */
  accountManaged: z.boolean(),
});
export type Member = z.infer<typeof member>;
export const memberList = z.object({ members: z.array(member) });
export type MemberList = z.infer<typeof memberList>;

/** PATCH /api/v1/admin/members/:userId (admin): change the role, or disable/enable the user. */
export const updateMemberRequest = z
  .object({ role: role.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((v) => v.role !== undefined || v.disabled !== undefined, 'Give a role or disabled.');
export type UpdateMemberRequest = z.infer<typeof updateMemberRequest>;
/** DELETE /api/v1/admin/members/:userId (admin) removes the membership (204). */

/** POST /api/v1/admin/members/:userId/password (admin): sets a new password; revokes the user's sessions (204). */
export const resetPasswordRequest = z.object({ password: z.string().min(12).max(1024) }).strict();
export type ResetPasswordRequest = z.infer<typeof resetPasswordRequest>;

/** GET /api/v1/admin/organisation (admin): the caller's organisation. PATCH renames it. */
export const organisationInfo = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  memberCount: z.number().int(),
  createdAt: z.string(),
});
export type OrganisationInfo = z.infer<typeof organisationInfo>;
export const renameOrganisationRequest = z.object({ name: organisationName }).strict();

/** GET /api/v1/session/organisations (any signed-in user): where they are a member. */
export const myOrganisations = z.object({
  organisations: z.array(
    z.object({ id: z.string(), slug: z.string(), name: z.string(), role, current: z.boolean() }),
  ),
});
export type MyOrganisations = z.infer<typeof myOrganisations>;
/** POST /api/v1/session/organisation { organisationId }: switches (rotates) the session; answers sessionInfo. */
export const switchOrganisationRequest = z.object({ organisationId: z.string().min(1).max(100) }).strict();

/** GET /api/v1/session/sessions (any signed-in user): their own live sessions. */
export const mySession = z.object({
  /** An opaque public id (never the cookie value or its hash). */
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});
export type MySession = z.infer<typeof mySession>;
export const mySessionList = z.object({ sessions: z.array(mySession) });
export type MySessionList = z.infer<typeof mySessionList>;
/**
 * DELETE /api/v1/session/sessions/:id revokes one of the caller's sessions (204);
 * DELETE /api/v1/session/sessions revokes every one but the current (204).
 */

/** GET /api/v1/tokens (any signed-in user): their API tokens in the current organisation. */
export const apiToken = z.object({
  id: z.string(),
  name: z.string(),
  role,
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof apiToken>;
export const apiTokenList = z.object({ tokens: z.array(apiToken) });
export type ApiTokenList = z.infer<typeof apiTokenList>;

/** POST /api/v1/tokens: a token's role may not exceed the caller's; it expires in 1–365 days. */
export const createTokenRequest = z
  .object({
    name: z.string().trim().min(1).max(80),
    role,
    expiresInDays: z.number().int().min(1).max(365),
  })
  .strict();
export type CreateTokenRequest = z.infer<typeof createTokenRequest>;
/** The secret is in this answer only; the server keeps its hash. DELETE /api/v1/tokens/:id revokes (204). */
export const createdToken = apiToken.extend({ secret: z.string() });
export type CreatedToken = z.infer<typeof createdToken>;

/** GET /api/v1/audit (admin) and GET /api/v1/audit.csv (the same filters, streamed, bounded). */
export const auditQuery = z
  .object({
    action: z.string().max(60).optional(),
    /** A user id or email, or `cli`. */
    actor: z.string().max(254).optional(),
    outcome: z.enum(['success', 'failure', 'locked_out']).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    /** The `nextCursor` of the previous page. */
    cursor: z.string().max(40).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuery>;
export const auditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string().nullable(),
  /** The actor's email when the actor is a user. */
  actorEmail: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: z.string(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntryInfo = z.infer<typeof auditEntry>;
export const auditPage = z.object({
  entries: z.array(auditEntry),
  nextCursor: z.string().nullable(),
  /** Every action name the log can hold, for the filter control. */
  actions: z.array(z.string()),
});
export type AuditPage = z.infer<typeof auditPage>;
