import type { Role } from '../../contract/session.schema.js';

/**
 * What each role may do, sent to the web app with the session so it can hide what is not allowed.
 * The server enforces the same rules on every route; this list only shapes the UI.
 */
const ABILITIES: Record<Role, readonly string[]> = {
  viewer: ['dashboards:read'],
  editor: ['dashboards:read', 'dashboards:edit'],
  admin: ['dashboards:read', 'dashboards:edit', 'members:manage', 'audit:read'],
};

export function abilitiesOf(role: Role): readonly string[] {
  return ABILITIES[role];
}
