import type { Role } from '../../contract/index.js';
import type { ActiveSession } from '../policies/principal.js';
import { TrellisError } from '../errors.js';
import type { TenantId } from '../query/plan.js';
import { tenantOf } from '../policies/tenant.js';

/**
 * Who is looking at dashboards: the tenant (the session's organisation slug) scopes every row read,
 * the role decides which dashboards exist for them. Made only from a live session, so a tenant can
 * never come from a request's body, query string or a default.
 */
export interface Viewer {
  readonly tenant: TenantId;
  readonly role: Role;
  /**
   * The signed-in user's id: the second level of a source's fair share (users of one tenant take
   * turns). Absent for tools that read as nobody in particular.
   */
  readonly user?: string;
}

export function viewerOf(session: Pick<ActiveSession, 'organisation' | 'role' | 'user'> | null): Viewer {
  // The route's permission already demands a session; this keeps a missing one from ever scoping nothing.
  if (!session) throw new TrellisError('UNAUTHENTICATED');
  return { tenant: tenantOf(session).slug, role: session.role, user: session.user.id };
}
