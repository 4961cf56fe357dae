import { Readable } from 'node:stream';
import type { OrganisationId } from '../policies/tenant.js';
import type { AuditEntryInfo, AuditPage, AuditQuery } from '../../contract/admin.schema.js';
import { TrellisError } from '../errors.js';
import type { Store } from '../store/store.js';
import { AUDIT_ACTIONS, recordAudit, type ActionContext } from './audit-log.js';
import { csvLine } from './csv.js';

/** The most rows one CSV export holds; a larger log is exported in date ranges. */
export const MAX_EXPORT_ROWS = 100_000;
const EXPORT_PAGE = 1000;
const CSV_COLUMNS = [
  'id',
  'at',
  'actor',
  'actor_email',
  'action',
  'target',
  'outcome',
  'ip',
  'request_id',
  'detail',
];

export type AuditFilters = Omit<AuditQuery, 'limit' | 'cursor'>;

/**
 * Browsing and exporting the audit log of one organisation (the tenant comes first in every query),
 * newest first, paged by id so a page never shifts while new entries arrive.
 */
export class AuditQueryService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async page(organisationId: OrganisationId, query: AuditQuery): Promise<AuditPage> {
    const beforeId = query.cursor === undefined ? undefined : parseCursor(query.cursor);
    const entries = await this.rows(organisationId, query, beforeId, query.limit + 1);
    const more = entries.length > query.limit;
    const shown = more ? entries.slice(0, query.limit) : entries;
    return {
      entries: shown,
      nextCursor: more ? (shown[shown.length - 1]?.id ?? null) : null,
      actions: [...AUDIT_ACTIONS],
    };
  }

  /**
   * The CSV of every matching entry (up to MAX_EXPORT_ROWS, then a last line says it stopped),
   * streamed page by page. The export itself is audited first: one row, whatever happens after.
   */
  async exportCsv(
    organisationId: OrganisationId,
    filters: AuditFilters,
    context: ActionContext,
  ): Promise<Readable> {
    await recordAudit(this.store.db, this.now(), context, {
      action: 'audit.export',
      outcome: 'success',
      target: null,
      detail: { filters: JSON.stringify(filters), maxRows: MAX_EXPORT_ROWS },
    });
    const rows = this.rows.bind(this);
    async function* lines(): AsyncGenerator<string> {
      yield csvLine(CSV_COLUMNS);
      let beforeId: number | undefined;
      let written = 0;
      while (written < MAX_EXPORT_ROWS) {
        const batch = await rows(
          organisationId,
          filters,
          beforeId,
          Math.min(EXPORT_PAGE, MAX_EXPORT_ROWS - written),
        );
        for (const e of batch)
          yield csvLine([
            e.id,
            e.at,
            e.actor,
            e.actorEmail,
            e.action,
            e.target,
            e.outcome,
            e.ip,
            e.requestId,
            JSON.stringify(e.detail),
          ]);
        written += batch.length;
        const last = batch[batch.length - 1];
        if (!last || batch.length < EXPORT_PAGE) return;
        beforeId = Number(last.id);
      }
      yield csvLine([`# stopped at ${MAX_EXPORT_ROWS} rows: export a narrower date range for the rest`]);
    }
    return Readable.from(lines());
  }

  private async rows(
    organisationId: OrganisationId,
    filters: AuditFilters,
    beforeId: number | undefined,
    limit: number,
  ): Promise<AuditEntryInfo[]> {
    let q = this.store.db
      .selectFrom('audit_log')
      .leftJoin('users', 'users.id', 'audit_log.actor')
      .select([
        'audit_log.id',
        'audit_log.at',
        'audit_log.actor',
        'users.email as actor_email',
        'audit_log.action',
        'audit_log.target',
        'audit_log.outcome',
        'audit_log.ip',
        'audit_log.request_id',
        'audit_log.detail',
      ])
      .where('audit_log.organisation_id', '=', organisationId)
      .orderBy('audit_log.id', 'desc')
      .limit(limit);
    if (beforeId !== undefined) q = q.where('audit_log.id', '<', beforeId);
    if (filters.action !== undefined) q = q.where('audit_log.action', '=', filters.action);
    if (filters.outcome !== undefined) q = q.where('audit_log.outcome', '=', filters.outcome);
    if (filters.from !== undefined) q = q.where('audit_log.at', '>=', Date.parse(filters.from));
    if (filters.to !== undefined) q = q.where('audit_log.at', '<', Date.parse(filters.to));
    if (filters.actor !== undefined) {
      const actor = filters.actor.trim().toLowerCase();
      // An email is matched through the users table; anything else is an actor id or `cli`.
      q = actor.includes('@')
        ? q.where('users.email', '=', actor)
        : q.where('audit_log.actor', '=', filters.actor.trim());
    }
    const rows = await q.execute();
    return rows.map((r) => ({
      id: String(r.id),
      at: new Date(r.at).toISOString(),
      actor: r.actor,
      actorEmail: r.actor_email,
      action: r.action,
      target: r.target,
      outcome: r.outcome,
      ip: r.ip,
      requestId: r.request_id,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }
}

function parseCursor(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor))
    throw new TrellisError('VALIDATION_FAILED', {
      message: 'The cursor is not one this server gave out.',
      issues: [{ path: 'cursor', message: 'unknown cursor' }],
    });
  return Number(cursor);
}
