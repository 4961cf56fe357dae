import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compiledLookup } from './compiled-lookup.js';
import { openStore, type Store } from './store.js';

describe('compiled lookups', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ kind: 'memory' });
    for (const [id, slug] of [
      ['o1', 'acme'],
      ['o2', 'globex'],
    ] as const)
      await store.db
        .insertInto('organisations')
        .values({ id, slug, name: slug.toUpperCase(), created_at: 1 })
        .execute();
  });
  afterAll(() => store.close());

  const bySlug = (value: string) =>
    store.db.selectFrom('organisations').select(['id', 'name']).where('slug', '=', value);

  test('answers like the query built for each value, and undefined when nothing matches', async () => {
    const lookup = compiledLookup(store.db, bySlug);
    for (const slug of ['acme', 'globex', 'nobody', "acme' OR '1'='1"])
      expect(await lookup(slug)).toEqual(await bySlug(slug).executeTakeFirst());
    expect(await lookup('globex')).toEqual({ id: 'o2', name: 'GLOBEX' });
    expect(await lookup("acme' OR '1'='1")).toBeUndefined();
  });

  test('refuses a query that binds the value other than exactly once, or inlines it', () => {
    expect(() =>
      compiledLookup(store.db, (v) =>
        store.db.selectFrom('organisations').select('id').where('slug', '=', v).where('name', '=', v),
      ),
    ).toThrow('exactly once (bound 2 times)');
    expect(() => compiledLookup(store.db, () => bySlug('acme'))).toThrow('bound 0 times');
    expect(() =>
      compiledLookup(store.db, (v) =>
        store.db
          .selectFrom('organisations')
          .select('id')
          .where('slug', '=', v)
          .where(sql.raw(`'${v}'`), '=', 'x'),
      ),
    ).toThrow('not inline it');
  });
});
