import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { until } from '../../../test/until.js';
import { isProjectFile, watchProject } from './project-watcher.js';

/** The project watcher on a real folder: what a save looks like to it, from an editor or `sed -i`. */
describe('watchProject', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  function project(): { dir: string; bursts: string[][] } {
    const dir = mkdtempSync(path.join(tmpdir(), 'trellis-watch-'));
    for (const d of ['dashboards', 'datasets', 'data', '.trellis']) mkdirSync(path.join(dir, d));
    writeFileSync(path.join(dir, 'dashboards', 'a.yaml'), 'title: A\n');
    const bursts: string[][] = [];
    const stop = watchProject(dir, (changed) => bursts.push([...changed]), { debounceMs: 50 });
    cleanups.push(() => {
      stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return { dir, bursts };
  }
  /** An editor's save: a temp file renamed over the old one (a new inode every time). */
  function replace(file: string, text: string) {
    writeFileSync(`${file}.tmp~`, text);
    renameSync(`${file}.tmp~`, file);
  }

  test('every save of a replaced file is seen, not only the first', async () => {
    const { dir, bursts } = project();
    const file = path.join(dir, 'dashboards', 'a.yaml');
    for (let i = 1; i <= 3; i++) {
      replace(file, `title: A${i}\n`);
      await until(() => bursts.length === i, 10_000, `save ${i}`);
      expect(bursts[i - 1]).toContain(path.join('dashboards', 'a.yaml'));
    }
  });

  test('the metadata store and the data folder are not project files', async () => {
    const { dir, bursts } = project();
    writeFileSync(path.join(dir, '.trellis', 'meta.sqlite'), 'x');
    writeFileSync(path.join(dir, 'data', 'x.duckdb'), 'x');
    // A change that counts, after the ones that do not: only it makes a burst.
    writeFileSync(path.join(dir, 'trellis.yaml'), 'name: x\n');
    await until(() => bursts.length === 1, 10_000, 'the trellis.yaml change');
    expect(bursts[0]).toEqual(['trellis.yaml']);
  });

  test('a folder created after the start is watched too', async () => {
    const { dir, bursts } = project();
    mkdirSync(path.join(dir, 'sql'));
    await until(() => bursts.length === 1, 10_000, 'the new folder');
    writeFileSync(path.join(dir, 'sql', 'q.sql'), 'select 1');
    await until(() => bursts.some((b) => b.includes(path.join('sql', 'q.sql'))), 10_000, 'sql/q.sql');
  });

  test('which paths count', () => {
    expect(isProjectFile('dashboards/a.yaml')).toBe(true);
    expect(isProjectFile('trellis.yaml')).toBe(true);
    expect(isProjectFile('.trellis/meta.sqlite')).toBe(false);
    expect(isProjectFile('data/trials.duckdb')).toBe(false);
    expect(isProjectFile('dashboards/.a.yaml.swp')).toBe(false);
    expect(isProjectFile('dashboards/a.yaml~')).toBe(false);
    expect(isProjectFile('4913')).toBe(false);
  });
});
