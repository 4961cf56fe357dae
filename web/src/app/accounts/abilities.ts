import type { Role, SessionInfo } from '../../../../contract/index.js';

/**
 * What the signed-in role may do, as the server listed it in the session (server/policies/roles.ts).
 * The UI hides what is not listed; the server checks every request again, so this only shapes the UI.
 */
export const ABILITY = {
  membersManage: 'members:manage',
  auditRead: 'audit:read',
  /** Start and cancel pipeline runs (editors and admins). */
  pipelinesRun: 'pipelines:run',
  /** Upload files, import them, roll back (editors and admins). */
  uploadsWrite: 'uploads:write',
} as const;
export type Ability = (typeof ABILITY)[keyof typeof ABILITY];

export function can(session: Pick<SessionInfo, 'abilities'> | undefined, ability: Ability): boolean {
  return session?.abilities.includes(ability) ?? false;
}

/** The roles in rising order (contract ROLES; not imported, so zod stays out of the bundle). */
export const ROLE_ORDER: readonly Role[] = ['viewer', 'editor', 'admin'];

/** The roles a token may have: never more than the caller's own. */
export function rolesUpTo(role: Role): Role[] {
  return ROLE_ORDER.slice(0, ROLE_ORDER.indexOf(role) + 1);
}

export function roleLabel(role: string): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}
