import type { Role } from '../../contract/session.schema.js';

/** Everything a role can be allowed to do. Routes name one (through a rule in permissions.ts); the UI gets the list. */
export const ABILITIES = [
  'dashboards:read',
  'dashboards:edit',
  /** Start and cancel pipeline runs of their organisation. */
  'pipelines:run',
  /** Send files to the project's upload targets (each target may ask for a higher role). */
  'uploads:write',
  /** Their own sessions and organisations: list, revoke, switch. */
  'sessions:own',
  /** Their own API tokens, with a role no higher than their own. */
  'tokens:own',
  'members:manage',
  'organisation:manage',
  'audit:read',
  'audit:export',
] as const;
export type Ability = (typeof ABILITIES)[number];

const VIEWER: readonly Ability[] = ['dashboards:read', 'sessions:own', 'tokens:own'];
const EDITOR: readonly Ability[] = [...VIEWER, 'dashboards:edit', 'pipelines:run', 'uploads:write'];
const ADMIN: readonly Ability[] = [
  ...EDITOR,
  'members:manage',
  'organisation:manage',
  'audit:read',
  'audit:export',
];

/**
 * The single truth of what each role may do: the authentication hook enforces it on every route,
 * and the same list goes to the web app with the session so it hides what is not allowed.
 */
const ROLE_ABILITIES: Record<Role, readonly Ability[]> = { viewer: VIEWER, editor: EDITOR, admin: ADMIN };

export function abilitiesOf(role: Role): readonly Ability[] {
  return ROLE_ABILITIES[role];
}

export function roleHas(role: Role, ability: Ability): boolean {
  return ROLE_ABILITIES[role].includes(ability);
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** The lower of two roles: what an API token may do is capped by its owner's current role. */
export function lowerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

export function roleAtMost(role: Role, ceiling: Role): boolean {
  return RANK[role] <= RANK[ceiling];
}
