import { constants } from 'node:fs';
import { copyFile, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Makes the ingest file the served file, atomically: copy it to a temp file beside the served one
 * (same folder, so same file system), fsync the copy, rename it over the served file, fsync the
 * folder. A reader opening the served file sees the old version or the new one, never a mix; a
 * crash at any point leaves one of the two whole (and at worst a temp file, removed next time).
 * The ingest file must be checkpointed first (no pending WAL).
 */
export async function publishFile(ingestFile: string, servedFile: string): Promise<void> {
  const tmp = `${servedFile}.publishing.tmp`;
  await rm(tmp, { force: true });
  await copyFile(ingestFile, tmp, constants.COPYFILE_FICLONE);
  const handle = await open(tmp, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  // A WAL left beside the served file belongs to the old file; DuckDB would replay it onto the new one.
  await rm(`${servedFile}.wal`, { force: true });
  await rename(tmp, servedFile);
  const dir = await open(path.dirname(servedFile), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
