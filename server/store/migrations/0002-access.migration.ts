import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../store.js';

/**
 * What the account API needs: where each session signed in from (ip, user agent) and a public id to
 * name it by (never the cookie hash); API tokens; single-use sign-in links (demo mode); the audit
 * log's filters (actor) and cursor (id) indexes.
 */
export function accessMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('sessions').addColumn('ip', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('public_id', 'text').execute();
      // Sessions from before this migration get a public id from their own hash's tail: unique, and
      // no part of the hash that identifies them is exposed as a whole.
      await sql`update sessions set public_id = substr(id_hash, 33, 32) where public_id is null`.execute(db);
      await db.schema
        .createIndex('sessions_public_id_idx')
        .on('sessions')
        .column('public_id')
        .unique()
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('organisation_id', 'text', (c) =>
          c.notNull().references('organisations.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('viewer', 'editor', 'admin')`))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('api_tokens_user_idx')
        .on('api_tokens')
        .columns(['user_id', 'organisation_id'])
        .execute();

      await db.schema
        .createTable('login_links')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('organisation_id', 'text', (c) =>
          c.notNull().references('organisations.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();

      // The tenant an entry belongs to (null: the command line, or a login for an unknown email), so an
      // organisation's admin sees its entries only.
      await db.schema.alterTable('audit_log').addColumn('organisation_id', 'text').execute();
      await db.schema
        .createIndex('audit_log_org_idx')
        .on('audit_log')
        .columns(['organisation_id', 'id'])
        .execute();
      await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor', 'id']).execute();
      void dialect;
    },
  };
}
