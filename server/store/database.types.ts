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
  user_settings: UserSettingsTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  api_tokens: ApiTokensTable;
  login_links: LoginLinksTable;
  invitations: InvitationsTable;
  password_resets: PasswordResetsTable;
  jobs: JobsTable;
  pipeline_runs: PipelineRunsTable;
  pipeline_run_logs: PipelineRunLogsTable;
  publications: PublicationsTable;
  uploads: UploadsTable;
  filter_presets: FilterPresetsTable;
  dashboard_user_settings: DashboardUserSettingsTable;
  export_files: ExportFilesTable;
  report_subscriptions: ReportSubscriptionsTable;
  report_deliveries: ReportDeliveriesTable;
  alert_rules: AlertRulesTable;
  alert_events: AlertEventsTable;
  upload_reports: UploadReportsTable;
  upload_failures: UploadFailuresTable;
  upload_versions: UploadVersionsTable;
  rate_buckets: RateBucketsTable;
  resource_locks: ResourceLocksTable;
  resource_lock_waiters: ResourceLockWaitersTable;
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

/** Per-person settings across organisations (migration 0014); no row = defaults. */
export interface UserSettingsTable {
  user_id: string;
  /** A tag of contract/locale.ts, or null: follow the browser's Accept-Language. */
  locale: string | null;
  updated_at: number;
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

/** Invitations to join an organisation (migration 0004; server/auth/invitations.service.ts). */
export interface InvitationsTable {
  id: string;
  /** sha256 of the link's token (256 random bits); the token itself is never stored. */
  token_hash: string;
  organisation_id: string;
  /** Lower-cased; only the account with this email may accept (or a new account is made for it). */
  email: string;
  role: Role;
  /** The inviting admin's user id; null from the command line. */
  invited_by: string | null;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accepted_by: string | null;
  revoked_at: number | null;
}

/** "Forgot password?" links (migration 0004): sha256 of the token, single use, short-lived. */
export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
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

/** The embedded job queue (migration 0003; server/jobs/store-queue.ts). */
export interface JobsTable {
  id: Generated<number>;
  /** The task's name (server/jobs/tasks/*.task.ts). */
  name: string;
  /** JSON text, bounded in bytes at enqueue. */
  payload: string;
  idempotency_key: string | null;
  status: 'queued' | 'active' | 'completed' | 'failed';
  /** Lower runs first. */
  priority: number;
  attempts_made: number;
  max_attempts: number;
  /** Base of the exponential backoff between attempts. */
  backoff_ms: number;
  timeout_ms: number;
  /** Not claimed before this time (delay, backoff). */
  run_at: number;
  /** The claim's fencing token (worker id + a random part per claim), while active. */
  locked_by: string | null;
  /** An active job whose lease ran out (its worker died) is claimed again. */
  lease_until: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  last_error: string | null;
}

/** Pipeline runs (migration 0003; server/jobs/runs.service.ts). */
export interface PipelineRunsTable {
  id: string;
  /** The organisation slug the pipeline belongs to (its tenant). */
  organisation: string;
  pipeline_id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  trigger: 'manual' | 'schedule' | 'cli';
  /** The email of who asked, or null (schedule, CLI). */
  requested_by: string | null;
  idempotency_key: string | null;
  /** The pipeline id while this run holds the pipeline's mutex (unique), else null. */
  lock_key: string | null;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  rows_written: number;
  /** JSON of the last stored progress (done, total, unit, rate, ETA, message). */
  progress: string;
  error_code: string | null;
  error_message: string | null;
  /** 0 or 1 (the same on both dialects). */
  cancel_requested: number;
  /** Log lines written so far (the log is bounded). */
  log_lines: number;
  version: number;
  updated_at: number;
  /** JSON of the validated run inputs (migration 0010), or null. */
  inputs: string | null;
  /** The run whose failed rows this one re-runs (migration 0018), or null. */
  retry_of: string | null;
}

export interface PipelineRunLogsTable {
  id: Generated<number>;
  run_id: string;
  seq: number;
  at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Datasets a pipeline replaced, for every web process to reopen and invalidate. */
export interface PublicationsTable {
  id: Generated<number>;
  at: number;
  /** JSON array of dataset ids. */
  datasets: string;
}

export type UploadStatus = 'received' | 'rejected' | 'importing' | 'imported' | 'failed';

/** A file an organisation sent to an upload target (migration 0005). */
export interface UploadsTable {
  id: string;
  organisation_id: string;
  /** The upload target's id (uploads/<id>.yaml). */
  target: string;
  /** As the browser named it, for display only (never a path on this server). */
  file_name: string;
  format: string;
  bytes: number;
  sha256: string;
  status: UploadStatus;
  error_code: string | null;
  /** The user id. */
  uploaded_by: string;
  created_at: number;
  updated_at: number;
  /** The import job's id once an import was asked for (migration 0016); recovery asks the queue about it. */
  import_job: string | null;
  /** When the worker began the import; null while the job waits its turn (status `importing`). */
  import_started_at: number | null;
  /** The import's outcome (UploadImportResult as JSON) once imported. */
  import_result: string | null;
}

/** A named set of filter values for one dashboard (migration 0006; server/services/presets.service.ts). */
export interface FilterPresetsTable {
  id: string;
  organisation_id: string;
  /** The project's dashboard id. */
  dashboard_id: string;
  /** The user id of who saved it. */
  owner_id: string;
  name: string;
  /** 1: every member of the organisation who may open the dashboard sees it (editors share). */
  shared: number;
  /** JSON: filter id → value, as checked against the dashboard's filters. */
  filters: string;
  created_at: number;
  updated_at: number;
}

/** A user's own settings of one dashboard in one organisation (migration 0006). */
export interface DashboardUserSettingsTable {
  organisation_id: string;
  user_id: string;
  dashboard_id: string;
  default_preset_id: string | null;
  /** JSON of the user's own layout (widget id → grid position), or null for the project's. */
  layout: string | null;
  updated_at: number;
}

export type ExportFileStatus = 'queued' | 'running' | 'ready' | 'failed' | 'cancelled' | 'expired';

/** Export jobs (docs/exports.md): the request, its progress, and the file while it is kept. */
export interface ExportFilesTable {
  id: string;
  organisation_id: string;
  /** The organisation's slug when asked: the tenant predicate of every exported row. */
  tenant: string;
  /** The user id: the only member besides the organisation's admins who may download the file. */
  requested_by: string;
  role: Role;
  dashboard: string;
  widget: string;
  format: string;
  bom: number;
  /** `{ filters, sort }` as JSON: ids and values, checked again when the job runs. */
  request: string;
  file_name: string;
  status: ExportFileStatus;
  rows_total: number | null;
  rows_done: number;
  rows_per_second: number | null;
  bytes: number | null;
  error_code: string | null;
  cancel_requested: number;
  request_id: string | null;
  ip: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  /** When the file is deleted (ready files only). */
  expires_at: number | null;
}

/** The validation report and profile of one upload, computed once (migration 0007). */
export interface UploadReportsTable {
  upload_id: string;
  organisation_id: string;
  total_rows: number;
  invalid_rows: number;
  failures_total: number;
  failures_stored: number;
  /** JSON array of file-level problems ({ rule, column }). */
  problems: string;
  /** JSON of the profile, once asked for. */
  profile: string | null;
  created_at: number;
}

/** The first failing cells of an upload, in row order (at most MAX_STORED_FAILURES per upload). */
export interface UploadFailuresTable {
  upload_id: string;
  seq: number;
  row_number: number;
  column_name: string;
  value: string | null;
  rule: string;
}

export type UploadVersionStatus = 'current' | 'kept' | 'removed';

/** One imported version of an organisation's upload target (the rows live in the target's engine). */
export interface UploadVersionsTable {
  organisation_id: string;
  target: string;
  version: number;
  upload_id: string;
  file_name: string;
  rows: number;
  checksum: string;
  mode: string;
  status: UploadVersionStatus;
  created_by: string;
  created_at: number;
}

/** One token bucket per named rate limit (migration 0009). */
export interface RateBucketsTable {
  name: string;
  tokens: number;
  /** Epoch ms of the last refill. */
  updated_at: number;
}

/** The one holder of a named lock; gone (or expired) when free. */
export interface ResourceLocksTable {
  name: string;
  holder: string;
  run_id: string;
  acquired_at: number;
  expires_at: number;
}

export interface ResourceLockWaitersTable {
  name: string;
  holder: string;
  enqueued_at: number;
  expires_at: number;
}

/** Scheduled reports (docs/exports.md): a member's subscription to a dashboard. */
export interface ReportSubscriptionsTable {
  id: string;
  organisation_id: string;
  tenant: string;
  user_id: string;
  role: string;
  dashboard: string;
  widget: string;
  format: 'pdf' | 'csv';
  request: string;
  schedule: string;
  time_zone: string;
  channel: 'email' | 'webhook';
  target: string;
  secret: string | null;
  status: 'active' | 'paused';
  next_run_at: number | null;
  created_at: number;
  updated_at: number;
}

export type ReportDeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** One delivery per subscription tick, committed before anything is sent. */
export interface ReportDeliveriesTable {
  id: string;
  subscription_id: string;
  organisation_id: string;
  idempotency_key: string;
  tick: number;
  status: ReportDeliveryStatus;
  attempts: number;
  error_code: string | null;
  bytes: number | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

/** Alerts on KPI widgets (docs/exports.md, "Alerts"): a member's rule and the state its last check left. */
export interface AlertRulesTable {
  id: string;
  organisation_id: string;
  tenant: string;
  user_id: string;
  role: string;
  dashboard: string;
  widget: string;
  filters: string;
  condition: 'above' | 'below' | 'change';
  threshold: number;
  every_minutes: number | null;
  cron: string | null;
  time_zone: string;
  channel: 'email' | 'webhook';
  target: string;
  secret: string | null;
  state: 'ok' | 'firing';
  transitions: number;
  last_value: number | null;
  last_checked_at: number | null;
  last_error: string | null;
  next_check_at: number;
  muted_until: number | null;
  created_at: number;
  updated_at: number;
}

export type AlertEventStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'muted';

/** One event per transition of a rule: its notification's delivery, committed before anything is sent. */
export interface AlertEventsTable {
  id: string;
  rule_id: string;
  organisation_id: string;
  idempotency_key: string;
  kind: 'fire' | 'resolve';
  value: number;
  threshold: number;
  status: AlertEventStatus;
  attempts: number;
  error_code: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}
