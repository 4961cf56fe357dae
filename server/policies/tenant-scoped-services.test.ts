import { expect, test } from 'vitest';
import type { AuditQueryService } from '../audit/audit-query.service.js';
import { ApiTokensService } from '../auth/api-tokens.service.js';
import { InvitationsService } from '../auth/invitations.service.js';
import { MembersService } from '../auth/members.service.js';
import { RunsService } from '../jobs/runs.service.js';
import type { PresetsService } from '../services/presets.service.js';
import type { OrganisationId, TenantId } from './tenant.js';

/**
 * A compile-time check, generated over every public method of the services that read or change a
 * user, membership, invitation, token, run or audit row: the first parameter must be the branded
 * tenant (OrganisationId from the session, or TenantId for data rows). A new method that takes a
 * plain string or forgets the tenant makes `npm run typecheck` fail here; the few methods that are
 * not scoped by an organisation are listed with the reason.
 */
type Method = (...args: never[]) => unknown;
type FirstParam<F> = F extends (first: infer A, ...rest: never[]) => unknown ? A : never;
type Checked<S, Exempt extends keyof S> = {
  [K in Exclude<keyof S, Exempt> as S[K] extends Method ? K : never]: [FirstParam<S[K]>] extends [
    OrganisationId | TenantId,
  ]
    ? true
    : `${K & string} does not take the tenant first`;
};
type AllTrue<T extends Record<string, true>> = T;

/** Not organisation-scoped, on purpose: */
const EXEMPT = {
  tokens: {
    resolve: 'authentication: finds the principal of a bearer secret (the tenant comes from it)',
  },
  invitations: {
    preview: 'the invitee side: scoped by the link token, not by an organisation',
    accept: 'the invitee side: the signed-in principal and the token (policy: email must match)',
    register: 'the invitee side: a new account through the token',
  },
  runs: {
    promote: 'worker: moves a pipeline’s queue along (by pipeline id, after a run ends)',
    reconcile: 'worker: ends runs whose worker died (all organisations, by design)',
    finish: 'worker: records a run’s end (by run id, from the run’s own job)',
    byId: 'worker: the executor reads its own run’s row (never reached from a request)',
    onCancel: 'worker: hears cancels in this process (a listener, no rows)',
  },
} as const;

export type TenantChecks = [
  AllTrue<Checked<MembersService, never>>,
  AllTrue<Checked<AuditQueryService, never>>,
  AllTrue<Checked<ApiTokensService, keyof typeof EXEMPT.tokens>>,
  AllTrue<Checked<InvitationsService, keyof typeof EXEMPT.invitations>>,
  AllTrue<Checked<PresetsService, never>>,
  AllTrue<Checked<RunsService, keyof typeof EXEMPT.runs | 'now' | 'task' | 'store' | 'pipelines'>>,
];

test('the exemptions name methods that exist (a renamed method cannot hide behind a stale name)', () => {
  const methods = (cls: { prototype: object }) => Object.getOwnPropertyNames(cls.prototype);
  for (const name of Object.keys(EXEMPT.tokens)) expect(methods(ApiTokensService)).toContain(name);
  for (const name of Object.keys(EXEMPT.invitations)) expect(methods(InvitationsService)).toContain(name);
  for (const name of Object.keys(EXEMPT.runs)) expect(methods(RunsService)).toContain(name);
  // Every other public method of the members service takes the tenant (checked by the types above).
  for (const name of methods(MembersService).filter((n) => n !== 'constructor' && n !== 'target')) {
    const fn: unknown = Reflect.get(MembersService.prototype, name);
    expect(typeof fn === 'function' && fn.length >= 1, `MembersService.${name}`).toBe(true);
  }
});
