import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * Settings a person keeps across organisations and browsers (docs/dashboards.md#language): one row
 * per user, made on their first choice. `locale` is a tag of contract/locale.ts (checked in code, so
 * a new language needs no migration); no row means "follow the browser's Accept-Language".
 */
export function userSettingsMigration(_dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('user_settings')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('locale', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
