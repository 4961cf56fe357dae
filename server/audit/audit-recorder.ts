import type { Store } from '../store/store.js';
import { recordAudit, type ActionContext, type AuditEntry } from './audit-log.js';

/**
 * Appends audit rows for services that hold no transaction of their own (widget exports): one row per
 * action, written before the action's effect (a download) begins.
 */
export class AuditRecorder {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  record(context: ActionContext, entry: AuditEntry): Promise<void> {
    return recordAudit(this.store.db, this.now(), context, entry);
  }
}
