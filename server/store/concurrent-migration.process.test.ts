import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { repoRoot } from '../../test/paths.js';
import { openStore } from './store.js';
import { migrations } from './migrations/migrations.js';

// Processes starting at once on one SQLite file (a server and its workers) each migrate the store
// on open. Kysely's SQLite migrator takes no lock; openStore must make one of them migrate and the
// others find the schema current — never "table already exists".
const dir = mkdtempSync(path.join(tmpdir(), 'trellis-migrate-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openInChild(file: string): Promise<{ code: number | null; stderr: string }> {
  const store = pathToFileURL(path.join(repoRoot, 'dist', 'server', 'store', 'store.js')).href;
  const script = `const { openStore } = await import(${JSON.stringify(store)});
const s = await openStore({ kind: 'sqlite', file: ${JSON.stringify(file)} });
await s.close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

test('six processes opening a new SQLite store at once all succeed, and every migration is applied once', async () => {
  for (let round = 0; round < 3; round++) {
    const file = path.join(dir, `meta-${round}.sqlite`);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => openInChild(file)));
    for (const o of outcomes) expect(o.stderr, o.stderr).toBe('');
    expect(outcomes.map((o) => o.code)).toEqual([0, 0, 0, 0, 0, 0]);
    const store = await openStore({ kind: 'sqlite', file });
    try {
      const applied = await store.db
        .selectFrom('trellis_migration' as never)
        .select('name' as never)
        .execute();
      expect(applied.map((r) => (r as { name: string }).name)).toEqual(Object.keys(migrations('sqlite')));
    } finally {
      await store.close();
    }
  }
});
