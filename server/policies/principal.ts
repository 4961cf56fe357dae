import type { Role } from '../../contract/session.schema.js';

/**
 * Who is calling: a live session (or an API token standing in for one), as the authentication hook
 * resolved it. Defined here, in the lower layer, so policies can reason about callers without
 * importing auth/ (auth/ produces principals; policies judge them).
 */
export interface ActiveSession {
  /** sha256 of the cookie token (or `token:<id>` for an API token): binds the CSRF token. */
  readonly idHash: string;
  /** Set when an API token, not a session cookie, authenticated the request. */
  readonly tokenId?: string;
  readonly user: { readonly id: string; readonly email: string };
  readonly organisation: { readonly id: string; readonly slug: string; readonly name: string };
  readonly role: Role;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
}
