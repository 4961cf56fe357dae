/**
 * Every route declares the permission it needs in its `config.permission`; a test fails when one
 * does not. Dashboards stay public to whoever can reach the server until demo mode exists (the
 * embedded demo binds to 127.0.0.1 by default); the session routes are the first to need a login.
 */
export const PERMISSIONS = [
  'public',
  'dashboards:read',
  /** Logging in: open to anyone, throttled. */
  'session:create',
  'session:read',
  /** Logging out: works without a valid session too (it just clears the cookie). */
  'session:delete',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface RouteConfig {
  readonly permission: Permission;
}

/** Permissions that need a signed-in user; the authentication hook answers UNAUTHENTICATED otherwise. */
const NEEDS_SESSION: ReadonlySet<Permission> = new Set(['session:read', 'dashboards:read']);

export function needsSession(permission: Permission): boolean {
  return NEEDS_SESSION.has(permission);
}

/** Public routes never look at the session cookie (no store lookup for health checks and assets). */
export function readsSession(permission: Permission): boolean {
  return permission !== 'public';
}
