import type { Role } from '../../contract/session.schema.js';
import { TrellisError } from '../errors.js';
import { ruleOf, type Permission } from './permissions.js';
import { roleHas, type Ability } from './roles.js';

/**
 * Who is asking, as policies see it: the session's organisation and role. Structural, so that
 * policies (the lower layer) never import auth/, whose sessions satisfy it.
 */
export interface Principal {
  readonly organisation: { readonly id: string };
  readonly role: Role;
}

/** Something that belongs to an organisation: a member, a token, an audit row, a dashboard's data. */
export interface TenantResource {
  readonly organisationId: string;
}

/**
 * The one check routes and the authentication hook call. The tenant comes first: a resource of
 * another organisation is refused whatever the role (and reported as FORBIDDEN without saying what
 * exists there); then the role must hold the ability.
 */
export function authorize<P extends Principal>(
  principal: P | null,
  ability: Ability,
  resource?: TenantResource,
): asserts principal is P {
  if (!principal) throw new TrellisError('UNAUTHENTICATED');
  if (resource !== undefined && resource.organisationId !== principal.organisation.id)
    throw new TrellisError('FORBIDDEN', { detail: { reason: 'other_tenant', ability } });
  if (!roleHas(principal.role, ability))
    throw new TrellisError('FORBIDDEN', { detail: { reason: 'role', role: principal.role, ability } });
}

/** The route-level form: the ability its declared permission names, if any. */
export function authorizeRoute(principal: Principal | null, permission: Permission): void {
  const { ability } = ruleOf(permission);
  if (ability !== undefined) authorize(principal, ability);
}
