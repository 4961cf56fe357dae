import type { Role } from '../../contract/index.js';
import { TrellisError, type ErrorCode } from '../errors.js';
import type { Tenant } from '../policies/tenant.js';
import type { Store } from '../store/store.js';

/** Who asks, from the session only: the member's organisation, id, role and own address. */
export interface MemberCaller {
  readonly tenant: Tenant;
  readonly userId: string;
  readonly role: Role;
  readonly email: string;
}

/**
 * Where an e-mail alert or report goes: always the address of the member it belongs to, never one
 * typed in (so nobody can send reports to a stranger). The caller's own from the session; when an
 * admin edits a member's, that member's from the store — `notFound` when the member is gone.
 */
export async function memberEmail(
  store: Store,
  owner: string,
  caller: { readonly userId: string; readonly email: string },
  notFound: ErrorCode,
): Promise<string> {
  if (owner === caller.userId) return caller.email;
  const row = await store.db.selectFrom('users').select('email').where('id', '=', owner).executeTakeFirst();
  if (!row) throw new TrellisError(notFound);
  return row.email;
}
