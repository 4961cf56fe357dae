/**
 * Every route declares the permission it needs in its `config.permission`; a test fails when one
 * does not. Accounts and roles arrive with the accounts issue; until then the dashboards are public
 * to whoever can reach the server (the embedded demo binds to 127.0.0.1 by default).
 */
export const PERMISSIONS = ['public', 'dashboards:read'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface RouteConfig {
  readonly permission: Permission;
}
