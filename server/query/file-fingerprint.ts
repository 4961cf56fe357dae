import { stat } from 'node:fs/promises';

/**
 * Identifies a version of a file by size and modification time (null when it does not exist): a
 * served file replaced behind a pipeline's back, an input file changed since its import.
 */
export async function fileFingerprint(file: string): Promise<string | null> {
  try {
    const s = await stat(file);
    return `${s.size}:${Math.trunc(s.mtimeMs)}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
