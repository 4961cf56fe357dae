import type { Ability } from './roles.js';

/**
 * What a route needs, declared in its `config.permission` (a route without one fails at build time,
 * and a test enumerates them). Each rule says whether a signed-in caller is needed, which ability
 * their role must have, whether an API token may stand in for the session cookie, and how a
 * state-changing request proves it came from this site (csrf).
 */
export interface PermissionRule {
  /** none: never looks at credentials; optional: reads them if present; required: UNAUTHENTICATED without. */
  readonly auth: 'none' | 'optional' | 'required';
  readonly ability?: Ability;
  /** May an `Authorization: Bearer` API token authenticate this route? */
  readonly tokens: boolean;
  /**
   * For POST/PUT/PATCH/DELETE: `token` = Origin check plus the x-csrf-token header when the cookie
   * authenticates; `origin` = Origin check only (login: there is no session to bind a token to yet).
   */
  readonly csrf: 'token' | 'origin';
}

const rule = (
  auth: PermissionRule['auth'],
  ability?: Ability,
  options: { tokens?: boolean; csrf?: PermissionRule['csrf'] } = {},
): PermissionRule => ({
  auth,
  ...(ability ? { ability } : {}),
  tokens: options.tokens ?? false,
  csrf: options.csrf ?? 'token',
});

/**
 * Per-resource policies: `resource:action` → rule. The tenant is always the caller's organisation
 * (from the session or token, never from the request), and services scope every query to it.
 */
export const PERMISSION_RULES = {
  public: rule('none'),
  // Dashboards need a member's session (or an API token): the rule's 'required' below, not public.
  'dashboards:read': rule('required', 'dashboards:read', { tokens: true }),
  /** Downloading a widget's data (docs/exports.md): whoever may read the dashboard, unless it says `export: false`. */
  'dashboards:export': rule('required', 'dashboards:read', { tokens: true }),
  /** Scheduled reports (docs/exports.md): every member who may download may subscribe; own ones only. */
  'subscriptions:own': rule('required', 'dashboards:read', { tokens: true }),
  /** Alerts on KPI widgets (docs/exports.md): every member who may read dashboards; own ones only. */
  'alerts:own': rule('required', 'dashboards:read', { tokens: true }),
  /** Logging in (password or link): open to anyone, throttled; the Origin is checked. */
  'session:create': rule('none', undefined, { csrf: 'origin' }),
  'session:read': rule('required'),
  /** Logging out works without a valid session too (it just clears the cookie). */
  'session:delete': rule('optional'),
  'session:list-own': rule('required', 'sessions:own'),
  'session:revoke-own': rule('required', 'sessions:own'),
  'session:switch-organisation': rule('required', 'sessions:own'),
  /** The UI language is the person's own: a browser session only. */
  'session:set-locale': rule('required', 'sessions:own'),
  'token:list': rule('required', 'tokens:own'),
  'token:create': rule('required', 'tokens:own'),
  'token:revoke': rule('required', 'tokens:own'),
  'member:list': rule('required', 'members:manage', { tokens: true }),
  'member:add': rule('required', 'members:manage', { tokens: true }),
  'member:update': rule('required', 'members:manage', { tokens: true }),
  'member:remove': rule('required', 'members:manage', { tokens: true }),
  'member:reset-password': rule('required', 'members:manage', { tokens: true }),
  'invitation:list': rule('required', 'members:manage', { tokens: true }),
  'invitation:create': rule('required', 'members:manage', { tokens: true }),
  'invitation:revoke': rule('required', 'members:manage', { tokens: true }),
  /** The invitation link's holder: what it offers, and a new account through it (Origin checked). */
  'invitation:preview': rule('none', undefined, { csrf: 'origin' }),
  'invitation:register': rule('none', undefined, { csrf: 'origin' }),
  /** Accepting needs the invited account's own browser session (an API token cannot join anything). */
  'invitation:accept': rule('required', 'sessions:own'),
  /** Own password: the current one is required; a browser session only. */
  'session:change-password': rule('required', 'sessions:own'),
  /** "Forgot password?" by e-mail: open to anyone, throttled, the same answer for every address. */
  'password-reset:request': rule('none', undefined, { csrf: 'origin' }),
  'password-reset:confirm': rule('none', undefined, { csrf: 'origin' }),
  'organisation:read': rule('required', 'organisation:manage', { tokens: true }),
  'organisation:rename': rule('required', 'organisation:manage', { tokens: true }),
  'audit:list': rule('required', 'audit:read', { tokens: true }),
  'audit:export': rule('required', 'audit:export', { tokens: true }),
  /** Pipelines and their runs, logs and events: every member reads them (the Jobs page). */
  'pipeline:list': rule('required', 'dashboards:read', { tokens: true }),
  'pipeline:read': rule('required', 'dashboards:read', { tokens: true }),
  'pipeline:run': rule('required', 'pipelines:run', { tokens: true }),
  'run:cancel': rule('required', 'pipelines:run', { tokens: true }),
  /**
   * Upload targets and the organisation's uploads: editors and admins (a target may ask for admin:
   * the uploads service checks the target's own role on top of this).
   */
  'upload:list': rule('required', 'uploads:write', { tokens: true }),
  'upload:read': rule('required', 'uploads:write', { tokens: true }),
  'upload:create': rule('required', 'uploads:write', { tokens: true }),
  /**
   * Saved filter presets of a dashboard (docs/dashboards.md): whoever may read it keeps their own;
   * sharing with the organisation asks for dashboards:edit in the preset policy. Browser sessions only:
   * presets are a person's, not a script's.
   */
  'preset:list': rule('required', 'dashboards:read'),
  'preset:create': rule('required', 'dashboards:read'),
  'preset:update': rule('required', 'dashboards:read'),
  'preset:delete': rule('required', 'dashboards:read'),
  'preset:default': rule('required', 'dashboards:read'),
  /** A user's own layout of a dashboard (docs/dashboards.md): theirs alone, any role that reads it. */
  'layout:read': rule('required', 'dashboards:read'),
  'layout:write': rule('required', 'dashboards:read'),
} as const satisfies Record<string, PermissionRule>;

export type Permission = keyof typeof PERMISSION_RULES;
export const PERMISSIONS = Object.keys(PERMISSION_RULES) as Permission[];

export interface RouteConfig {
  readonly permission: Permission;
}

export function ruleOf(permission: Permission): PermissionRule {
  return PERMISSION_RULES[permission];
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.hasOwn(PERMISSION_RULES, value);
}

/** Permissions that need a signed-in user; the authentication hook answers UNAUTHENTICATED otherwise. */
export function needsSession(permission: Permission): boolean {
  return ruleOf(permission).auth === 'required';
}

/** Public routes never look at credentials (no store lookup for health checks and assets). */
export function readsSession(permission: Permission): boolean {
  return ruleOf(permission).auth !== 'none';
}
