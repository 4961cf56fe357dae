import { TrellisError } from '../errors.js';
import type { ActiveSession } from './principal.js';

import { tenantId, type TenantId } from '../../contract/tenant-id.js';

export { tenantId, type TenantId };

declare const organisationBrand: unique symbol;
/**
 * The id of the caller's organisation, as metadata rows (memberships, tokens, audit, invitations)
 * name it. Branded so a plain string from a request cannot reach a service that scopes by it: the
 * only ways to make one are `tenantOf` (from a live session) and `trustedOrganisationId` (the
 * command line and tests, which act as the operator).
 */
export type OrganisationId = string & { readonly [organisationBrand]: true };

/**
 * The one tenant identity: the organisation's id for metadata and its slug (TenantId) for data rows
 * (dataset tenant columns and pipeline runs). Both come from the same session row, so they cannot
 * disagree.
 */
export interface Tenant {
  readonly id: OrganisationId;
  readonly slug: TenantId;
}

/** The tenant of a live session: the one place a request's tenant is made. */
export function tenantOf(principal: Pick<ActiveSession, 'organisation'> | null): Tenant {
  if (!principal) throw new TrellisError('UNAUTHENTICATED');
  return {
    id: principal.organisation.id as OrganisationId,
    slug: tenantId(principal.organisation.slug),
  };
}

/**
 * An organisation id the operator vouches for (CLI commands, demo set-up, jobs started by the
 * scheduler, tests). Never call it with a value from an HTTP request.
 */
export function trustedOrganisationId(id: string): OrganisationId {
  return id as OrganisationId;
}
