import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { STALE_SCRATCH_MS, removeUploadFiles, sweepUploadFolder } from './upload-folder-sweep.js';

/** Upload ids as the service makes them: `upl_` + 22 base64url characters. */
const WAITING = 'upl_AAAAAAAAAAAAAAAAAAAAAA';
const DONE = 'upl_BBBBBBBBBBBBBBBBBBBBBB';
const UNKNOWN = 'upl_CCCCCCCCCCCCCCCCCCCCCC';

function folderWith(names: { file?: string[]; dir?: string[] }): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'trellis-sweep-'));
  for (const f of names.file ?? []) writeFileSync(path.join(folder, f), 'x');
  for (const d of names.dir ?? []) {
    mkdirSync(path.join(folder, d));
    writeFileSync(path.join(folder, d, 'duckdb_temp_block-1.block'), 'x');
  }
  return folder;
}

describe('start-up sweep of the upload folder', () => {
  test('removes every file of an upload that no longer waits, and nothing that is not ours', async () => {
    const folder = folderWith({
      file: [
        `${WAITING}.upload`,
        `${WAITING}.upload.rows.parquet`,
        `${DONE}.upload`,
        `${DONE}.upload.rows.parquet`,
        `${DONE}.upload.rows.parquet.0a1b2c3d4e5f.tmp`,
        `${UNKNOWN}.upload`,
        'notes.txt',
        'upl_short.upload',
        `${DONE}.upload.bak`,
      ],
      dir: [`${DONE}.spill-0a1b2c3d4e5f`, 'someone-elses'],
    });
    let asked: readonly string[] = [];
    const r = await sweepUploadFolder(
      folder,
      async (ids) => {
        asked = ids;
        return new Set([WAITING]);
      },
      Date.now(),
    );
    expect([...asked].sort()).toEqual([WAITING, DONE, UNKNOWN].sort());
    expect(readdirSync(folder).sort()).toEqual(
      [
        `${WAITING}.upload`,
        `${WAITING}.upload.rows.parquet`,
        'notes.txt',
        'upl_short.upload',
        `${DONE}.upload.bak`,
        'someone-elses',
      ].sort(),
    );
    expect([...r.removed].sort()).toEqual(
      [
        `${DONE}.upload`,
        `${DONE}.upload.rows.parquet`,
        `${DONE}.upload.rows.parquet.0a1b2c3d4e5f.tmp`,
        `${DONE}.spill-0a1b2c3d4e5f`,
        `${UNKNOWN}.upload`,
      ].sort(),
    );
  });

  test('a waiting upload keeps fresh scratch (another instance may be checking it); stale scratch goes', async () => {
    const fresh = `${WAITING}.spill-00000000000a`;
    const stale = `${WAITING}.spill-00000000000b`;
    const staleTmp = `${WAITING}.upload.rows.parquet.00000000000c.tmp`;
    const folder = folderWith({ file: [`${WAITING}.upload`, staleTmp], dir: [fresh, stale] });
    const old = new Date(Date.now() - STALE_SCRATCH_MS - 60_000);
    utimesSync(path.join(folder, stale), old, old);
    utimesSync(path.join(folder, staleTmp), old, old);
    await sweepUploadFolder(folder, async () => new Set([WAITING]), Date.now());
    expect(readdirSync(folder).sort()).toEqual([`${WAITING}.upload`, fresh].sort());
  });

  test('a folder that does not exist yet is nothing to sweep', async () => {
    const r = await sweepUploadFolder(
      path.join(tmpdir(), 'trellis-sweep-none', 'x'),
      async () => new Set(),
      0,
    );
    expect(r.removed).toEqual([]);
  });
});

describe("removing a settled upload's files", () => {
  test("removes its file, rows and every scratch a killed attempt left, and nobody else's", async () => {
    const folder = folderWith({
      file: [
        `${DONE}.upload`,
        `${DONE}.upload.rows.parquet`,
        `${DONE}.upload.rows.parquet.0a1b2c3d4e5f.tmp`,
        `${WAITING}.upload`,
        `${WAITING}.upload.rows.parquet.aaaaaaaaaaaa.tmp`,
        `${DONE}.upload.bak`,
      ],
      dir: [`${DONE}.spill-0a1b2c3d4e5f`, `${WAITING}.spill-0a1b2c3d4e5f`],
    });
    await removeUploadFiles(folder, DONE);
    expect(readdirSync(folder).sort()).toEqual(
      [
        `${DONE}.upload.bak`,
        `${WAITING}.spill-0a1b2c3d4e5f`,
        `${WAITING}.upload`,
        `${WAITING}.upload.rows.parquet.aaaaaaaaaaaa.tmp`,
      ].sort(),
    );
  });

  test('a folder that does not exist is nothing to remove', async () => {
    await expect(
      removeUploadFiles(path.join(tmpdir(), 'trellis-no-such-folder-x'), DONE),
    ).resolves.toBeUndefined();
  });
});
