import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * What people keep of a dashboard (docs/dashboards.md):
 *
 * - `filter_presets`: named sets of filter values, personal or shared with the organisation. The id
 *   is random (never a counter another organisation could walk), and every lookup names the
 *   organisation too. `filters` is JSON of filter ids and values only, checked against the
 *   dashboard's filters when saved and again when applied.
 * - `dashboard_user_settings`: one row per user per dashboard per organisation: the default preset
 *   and the user's own layout (JSON of widget ids and grid positions), either may be null.
 */
export function dashboardPreferencesMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('filter_presets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organisation_id', 'text', (c) =>
          c.notNull().references('organisations.id').onDelete('cascade'),
        )
        .addColumn('dashboard_id', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('shared', 'integer', (c) => c.notNull().check(sql`shared in (0, 1)`))
        .addColumn('filters', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('filter_presets_dashboard_idx')
        .on('filter_presets')
        .columns(['organisation_id', 'dashboard_id', 'owner_id'])
        .execute();

      await db.schema
        .createTable('dashboard_user_settings')
        .addColumn('organisation_id', 'text', (c) =>
          c.notNull().references('organisations.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('dashboard_id', 'text', (c) => c.notNull())
        // A deleted preset stops being anyone's default.
        .addColumn('default_preset_id', 'text', (c) => c.references('filter_presets.id').onDelete('set null'))
        .addColumn('layout', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('dashboard_user_settings_pk', ['organisation_id', 'user_id', 'dashboard_id'])
        .execute();
    },
  };
}
