import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeTargets } from '../../test/store-targets.js';
import { listAudit, recordAudit, CLI_CONTEXT } from '../audit/audit-log.js';
import type { StoreConfig } from '../config/env.js';
import { openStore, type Store } from './store.js';
import { constraintViolation } from './store-transaction.js';

// The same contract on every dialect of the metadata store.
const targets = await storeTargets('the metadata store contract on PostgreSQL');

describe.each(targets)('metadata store on $name', (target) => {
  let store: Store;
  let config: StoreConfig;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, config, dispose } = await target.open());
  });
  afterAll(async () => dispose?.());

  test('migrations ran once, and a second start (another instance) finds nothing to do', async () => {
    const applied = () =>
      sql<{ name: string }>`select name from trellis_migration order by name`.execute(store.db);
    expect((await applied()).rows.map((r) => r.name)).toEqual([
      '0001-accounts',
      '0002-access',
      '0003-jobs',
      '0004-invitations',
      '0005-uploads',
      '0006-dashboard-preferences',
      '0007-upload-versions',
      '0008-export-files',
      '0009-enrichment',
      '0010-run-inputs',
      '0012-report-subscriptions',
      '0014-user-settings',
      '0015-alerts',
      '0016-upload-import-jobs',
      '0018-run-retries',
    ]);
    const again = await openStore(config);
    await again.close();
    expect((await applied()).rows.map((r) => r.name)).toEqual([
      '0001-accounts',
      '0002-access',
      '0003-jobs',
      '0004-invitations',
      '0005-uploads',
      '0006-dashboard-preferences',
      '0007-upload-versions',
      '0008-export-files',
      '0009-enrichment',
      '0010-run-inputs',
      '0012-report-subscriptions',
      '0014-user-settings',
      '0015-alerts',
      '0016-upload-import-jobs',
      '0018-run-retries',
    ]);
  });

  test('times and ids come back as numbers; JSON detail round-trips', async () => {
    const at = 1_767_225_600_123; // beyond 2^32, well inside 2^53
    await recordAudit(store.db, at, CLI_CONTEXT, {
      action: 'organisation.create',
      outcome: 'success',
      target: 'acme',
      detail: { n: 1, flag: true, text: 'x' },
    });
    const [row] = await listAudit(store.db, { limit: 1 });
    expect(row).toMatchObject({ at, actor: 'cli', action: 'organisation.create', target: 'acme' });
    expect(typeof row?.id).toBe('number');
    expect(row?.detail).toEqual({ n: 1, flag: true, text: 'x' });
  });

  test('the audit log is append-only in the database itself', async () => {
    await expect(store.db.updateTable('audit_log').set({ outcome: 'forged' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(store.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    expect((await listAudit(store.db, { limit: 10 })).length).toBeGreaterThan(0);
  });

  test('constraints hold: unique emails, known roles, memberships need both sides', async () => {
    const user = { id: 'u1', email: 'a@example.com', password_hash: 'x', created_at: 1, disabled_at: null };
    await store.db.insertInto('users').values(user).execute();
    await expect(
      store.db
        .insertInto('users')
        .values({ ...user, id: 'u2' })
        .execute()
        .catch(constraintViolation),
    ).resolves.toBe('unique');
    await store.db
      .insertInto('organisations')
      .values({ id: 'o1', slug: 'acme', name: 'Acme', created_at: 1 })
      .execute();
    await expect(
      store.db
        .insertInto('memberships')
        .values({ user_id: 'u1', organisation_id: 'o1', role: 'owner' as 'admin', created_at: 1 })
        .execute()
        .catch(constraintViolation),
    ).resolves.toBe('check');
    await expect(
      store.db
        .insertInto('memberships')
        .values({ user_id: 'nobody', organisation_id: 'o1', role: 'viewer', created_at: 1 })
        .execute()
        .catch(constraintViolation),
    ).resolves.toBe('foreign key');
    // Nothing of the refused rows is there.
    expect(await store.db.selectFrom('users').select('id').execute()).toEqual([{ id: 'u1' }]);
    expect(await store.db.selectFrom('memberships').selectAll().execute()).toEqual([]);
  });

  test('a failed transaction leaves nothing behind', async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('organisations')
          .values({ id: 'o2', slug: 'beta', name: 'Beta', created_at: 1 })
          .execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const found = await store.db
      .selectFrom('organisations')
      .select('id')
      .where('slug', '=', 'beta')
      .execute();
    expect(found).toEqual([]);
  });
});
