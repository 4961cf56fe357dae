import type { Generated } from 'kysely';
import type { Role } from '../../contract/session.schema.js';

export { ROLES, type Role } from '../../contract/session.schema.js';

/**
 * The metadata store's tables as Kysely sees them. Times are epoch milliseconds in a BIGINT on both
 * dialects (PostgreSQL's int8 is parsed to a number by the store's pool; epoch ms fit in 2^53), so
 * comparisons and arithmetic are the same everywhere and no time-zone conversion can creep in.
 */
export interface Database {
  organisations: OrganisationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  api_tokens: ApiTokensTable;
  login_links: LoginLinksTable;
}

export interface OrganisationsTable {
  id: string;
  /** The name used on the command line and in URLs: lower-case letters, digits and dashes. */
  slug: string;
  name: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  /** Stored lower-cased, so lookups and the per-account throttle agree on one spelling. */
  email: string;
  /** An argon2id PHC string (parameters and salt inside). */
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
}

export interface MembershipsTable {
  user_id: string;
  organisation_id: string;
  role: Role;
  created_at: number;
}

export interface SessionsTable {
  /** sha256 of the cookie value: a stolen copy of this table cannot be replayed as cookies. */
  id_hash: string;
  user_id: string;
  organisation_id: string;
  created_at: number;
  last_seen_at: number;
  /** created_at + the absolute lifetime; the idle limit is checked against last_seen_at. */
  expires_at: number;
  revoked_at: number | null;
  /** Where the session signed in from (migration 0002; null for older sessions). */
  ip: string | null;
  user_agent: string | null;
  /** The id the session is named by in the API (random; never the cookie or its hash). */
  public_id: string;
}

export interface ApiTokensTable {
  id: string;
  /** sha256 of the secret (256 random bits, so a fast hash suffices). */
  token_hash: string;
  user_id: string;
  organisation_id: string;
  name: string;
  /** At most the creator's role when created; the effective role is also capped by the current membership. */
  role: Role;
  created_at: number;
  expires_at: number;
  /** Written at most once a minute per token. */
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface LoginLinksTable {
  /** sha256 of the link's token; single use (used_at), short-lived (expires_at). */
  token_hash: string;
  user_id: string;
  organisation_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  /** A user id, 'cli' for the command line, or null when nobody is known (a failed login). */
  actor: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  request_id: string | null;
  /** JSON object text. */
  detail: string;
  /** The organisation the entry belongs to (migration 0002); null for CLI-wide actions. */
  organisation_id: Generated<string | null>;
}
