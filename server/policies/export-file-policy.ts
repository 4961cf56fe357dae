import type { Role } from '../../contract/session.schema.js';
import type { OrganisationId } from './tenant.js';

/**
 * Who may see, download and cancel an export job's file (docs/exports.md). Tenant first: a file of
 * another organisation does not exist for the caller (callers also look it up under their own
 * organisation only). Within the organisation: the member who asked for it, and its admins — an
 * export holds what its requester could read, which another member may not be allowed to.
 */
export interface ExportFileCaller {
  readonly organisationId: OrganisationId;
  readonly userId: string;
  readonly role: Role;
}

export interface ExportFileFacts {
  readonly organisationId: string;
  readonly requestedBy: string;
}

export function mayAccessExportFile(caller: ExportFileCaller, file: ExportFileFacts): boolean {
  if (file.organisationId !== caller.organisationId) return false;
  return file.requestedBy === caller.userId || caller.role === 'admin';
}

/** Whose exports a caller's list holds: their own, or (admins) everyone's in the organisation. */
export function exportListScope(caller: ExportFileCaller): { readonly requester: string | undefined } {
  return { requester: caller.role === 'admin' ? undefined : caller.userId };
}
