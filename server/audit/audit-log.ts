import type { Kysely } from 'kysely';
import type { Database } from '../store/database.types.js';

/**
 * Every action the log can hold. Adding one is one line here (and a test in audit-actions.api.test.ts,
 * which fails for an action nothing writes). Jobs, uploads and pipelines add theirs the same way.
 */
export const AUDIT_ACTIONS = [
  'login',
  'logout',
  'session.revoke',
  'organisation.switch',
  'organisation.create',
  'organisation.rename',
  'user.create',
  'user.disable',
  'user.enable',
  'user.password_reset',
  'membership.add',
  'membership.change',
  'membership.remove',
  'invitation.create',
  'invitation.revoke',
  'invitation.accept',
  'user.password_change',
  'password_reset.request',
  'token.create',
  'token.revoke',
  'audit.export',
  'pipeline.run',
  'run.cancel',
  'upload.receive',
  'upload.reject',
  'upload.import',
  'upload.rollback',
  'widget.export',
  'preset.create',
  'preset.update',
  'preset.delete',
  'preset.default',
  'layout.save',
  'layout.reset',
  'export.request',
  'export.cancel',
  'export.download',
  'subscription.create',
  'subscription.update',
  'subscription.pause',
  'subscription.resume',
  'subscription.delete',
  'report.deliver',
  'alert.create',
  'alert.update',
  'alert.delete',
  'alert.fire',
  'alert.resolve',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = 'success' | 'failure' | 'locked_out';

/** Where an action came from: an HTTP request (address, request id) or the command line. */
export interface ActionContext {
  /** A user id, 'cli', or null when nobody is known yet (a login attempt). */
  readonly actor: string | null;
  readonly ip: string | null;
  readonly requestId: string | null;
  /** The caller's organisation (from the session), when there is one. */
  readonly organisationId?: string | null;
}

export const CLI_CONTEXT: ActionContext = { actor: 'cli', ip: null, requestId: null };

export interface AuditEntry {
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  readonly target: string | null;
  readonly detail?: Record<string, string | number | boolean | null>;
  /** The organisation the entry belongs to, when not the caller's own (login, organisation create). */
  readonly organisationId?: string | null;
}

export interface AuditRow {
  readonly id: number;
  readonly at: number;
  readonly actor: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly outcome: string;
  readonly ip: string | null;
  readonly requestId: string | null;
  readonly detail: Record<string, unknown>;
}

/**
 * Appends one row. Takes the caller's transaction (or the store) so the row commits with the change
 * it describes, or not at all. There is no update or delete: the table refuses them (migration 0001).
 */
export async function recordAudit(
  db: Kysely<Database>,
  at: number,
  context: ActionContext,
  entry: AuditEntry,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at,
      actor: context.actor,
      action: entry.action,
      target: entry.target,
      outcome: entry.outcome,
      ip: context.ip,
      request_id: context.requestId,
      detail: JSON.stringify(entry.detail ?? {}),
      organisation_id: entry.organisationId ?? context.organisationId ?? null,
    })
    .execute();
}

/**
 * Audit on both sides: an action whose effect is seen in several organisations (a user's password or
 * account state changes for every organisation they belong to) writes one row in each, so every
 * organisation's admins see what happened to their members. With no organisation, one row without.
 */
export async function recordAuditInOrganisations(
  db: Kysely<Database>,
  at: number,
  context: ActionContext,
  entry: Omit<AuditEntry, 'organisationId'>,
  organisationIds: readonly string[],
): Promise<void> {
  const orgs = [...new Set(organisationIds)];
  if (orgs.length === 0) {
    await recordAudit(db, at, context, { ...entry, organisationId: null });
    return;
  }
  for (const organisationId of orgs) await recordAudit(db, at, context, { ...entry, organisationId });
}

/** The organisations a user belongs to (where an action on the user's account is seen). */
export async function organisationsOfUser(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships')
    .select('organisation_id')
    .where('user_id', '=', userId)
    .orderBy('organisation_id')
    .execute();
  return rows.map((r) => r.organisation_id);
}

/** The newest rows first; `beforeId` pages backwards. */
export async function listAudit(
  db: Kysely<Database>,
  options: { limit: number; beforeId?: number; action?: AuditAction },
): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  if (options.action !== undefined) query = query.where('action', '=', options.action);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    ip: r.ip,
    requestId: r.request_id,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}
