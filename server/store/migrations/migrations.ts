import type { Migration } from 'kysely';
import type { StoreDialect } from '../store.js';
import { accountsMigration } from './0001-accounts.migration.js';
import { accessMigration } from './0002-access.migration.js';
import { jobsMigration } from './0003-jobs.migration.js';
import { invitationsMigration } from './0004-invitations.migration.js';
import { uploadsMigration } from './0005-uploads.migration.js';
import { dashboardPreferencesMigration } from './0006-dashboard-preferences.migration.js';
import { uploadVersionsMigration } from './0007-upload-versions.migration.js';
import { exportFilesMigration } from './0008-export-files.migration.js';
import { enrichmentMigration } from './0009-enrichment.migration.js';
import { runInputsMigration } from './0010-run-inputs.migration.js';
import { reportSubscriptionsMigration } from './0012-report-subscriptions.migration.js';
import { userSettingsMigration } from './0014-user-settings.migration.js';
import { alertsMigration } from './0015-alerts.migration.js';
import { uploadImportJobsMigration } from './0016-upload-import-jobs.migration.js';
import { runRetriesMigration } from './0018-run-retries.migration.js';

/**
 * Every migration, in order. Forward-only: there is no `down`; a mistake is fixed by the next
 * migration. Listed here rather than read from the folder so the same list works from TypeScript
 * (tests) and from dist/ (the built server) with no file-name guessing.
 */
export function migrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001-accounts': accountsMigration(dialect),
    '0002-access': accessMigration(dialect),
    '0003-jobs': jobsMigration(dialect),
    '0004-invitations': invitationsMigration(dialect),
    '0005-uploads': uploadsMigration(dialect),
    '0006-dashboard-preferences': dashboardPreferencesMigration(dialect),
    '0007-upload-versions': uploadVersionsMigration(dialect),
    '0008-export-files': exportFilesMigration(dialect),
    '0009-enrichment': enrichmentMigration(dialect),
    '0010-run-inputs': runInputsMigration(dialect),
    '0012-report-subscriptions': reportSubscriptionsMigration(dialect),
    '0014-user-settings': userSettingsMigration(dialect),
    '0015-alerts': alertsMigration(dialect),
    '0016-upload-import-jobs': uploadImportJobsMigration(dialect),
    '0018-run-retries': runRetriesMigration(dialect),
  };
}
