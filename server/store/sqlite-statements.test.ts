import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { withStatementCache } from './sqlite-statements.js';

describe('SQLite statement cache', () => {
  let raw: SQLite.Database;
  afterEach(() => {
    if (raw.open) raw.close();
  });
  const open = (max?: number) => {
    raw = new SQLite(':memory:');
    raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    raw.prepare('INSERT INTO t (id, name) VALUES (?, ?), (?, ?), (?, ?)').run(1, 'a', 2, 'b', 3, 'c');
    return withStatementCache(raw, max);
  };

  test('the same SQL gets the same statement, which answers each call with its own parameters', () => {
    const db = open();
    const sql = 'SELECT name FROM t WHERE id = ?';
    const first = db.prepare(sql);
    expect(db.prepare(sql)).toBe(first);
    expect(first.all([1])).toEqual([{ name: 'a' }]);
    expect(db.prepare(sql).all([3])).toEqual([{ name: 'c' }]);
    expect(db.prepare('SELECT count(*) AS n FROM t').all([])).toEqual([{ n: 3 }]);
    expect(db.cachedStatements).toBe(2);
  });

  test('writes through a cached statement are seen by the next read', () => {
    const db = open();
    const insert = 'INSERT INTO t (id, name) VALUES (?, ?)';
    db.prepare(insert).run([4, 'd']);
    db.prepare(insert).run([5, 'e']);
    expect(db.prepare('SELECT count(*) AS n FROM t').all([])).toEqual([{ n: 5 }]);
  });

  test('bounded: the least recently used statement is dropped first', () => {
    const db = open(2);
    const a = db.prepare('SELECT 1 AS v');
    const b = db.prepare('SELECT 2 AS v');
    expect(db.prepare('SELECT 1 AS v')).toBe(a); // a is now the most recently used
    db.prepare('SELECT 3 AS v'); // evicts b
    expect(db.cachedStatements).toBe(2);
    expect(db.prepare('SELECT 1 AS v')).toBe(a);
    const b2 = db.prepare('SELECT 2 AS v');
    expect(b2).not.toBe(b);
    expect(b2.all([])).toEqual([{ v: 2 }]);
  });

  test('a statement being iterated is not handed out again: the caller gets a fresh one', () => {
    const db = open();
    const sql = 'SELECT id FROM t ORDER BY id';
    const cached = db.prepare(sql);
    const iterator = cached.iterate([]);
    expect(iterator.next().value).toEqual({ id: 1 });
    const other = db.prepare(sql);
    expect(other).not.toBe(cached);
    expect(other.all([])).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect([...iterator]).toEqual([{ id: 2 }, { id: 3 }]);
    expect(db.prepare(sql)).toBe(cached); // done iterating: reusable again
  });

  test('a schema change under a cached statement is picked up (SQLite re-prepares it)', () => {
    const db = open();
    const sql = 'SELECT * FROM t WHERE id = ?';
    expect(db.prepare(sql).all([1])).toEqual([{ id: 1, name: 'a' }]);
    raw.exec("ALTER TABLE t ADD COLUMN note TEXT DEFAULT 'x'");
    expect(db.prepare(sql).all([1])).toEqual([{ id: 1, name: 'a', note: 'x' }]);
  });

  test('close closes the database', () => {
    const db = open();
    db.prepare('SELECT 1');
    db.close();
    expect(raw.open).toBe(false);
    expect(db.cachedStatements).toBe(0);
  });
});
