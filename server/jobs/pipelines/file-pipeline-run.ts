import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Pipeline } from '../../config/project/pipeline.types.js';
import { fileFingerprint, type DuckDBIngestWriter } from '../../query/engines/duckdb/index.js';
import type { PipelineRunContext, PipelineRunResult } from '../pipeline-contract.js';
import { Publisher, pipelineFailed } from './run-support.js';

/**
 * A file pipeline's checkpoint: the files imported (by name, with the size and time they had), and
 * the file under way with the rows of it already written. A file whose fingerprint is unchanged is
 * not read again; a changed one is imported again (upserts by key).
 */
export interface FileState {
  readonly v: 1;
  readonly status: 'running' | 'complete';
  readonly runId: string;
  readonly done: Readonly<Record<string, string>>;
  readonly current: { readonly name: string; readonly fingerprint: string; readonly offset: number } | null;
}

/** A glob with `*`, `?`, `[…]` and `{a,b}` in its last segment → a regular expression for file names. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(',')
          .map((s) => s.replace(/[.+^$()|\\]/g, '\\$&'))
          .join('|')})`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The files a pipeline imports, in name order, all inside the data folder. */
export async function matchFiles(dataDir: string, pattern: string): Promise<string[]> {
  const dir = path.posix.dirname(pattern);
  const base = path.posix.basename(pattern);
  if (/[*?[{]/.test(dir)) throw new Error(`wildcards only in the file name part of "${pattern}"`);
  const folder = path.resolve(dataDir, dir);
  if (folder !== path.resolve(dataDir) && !folder.startsWith(path.resolve(dataDir) + path.sep))
    throw new Error(`"${pattern}" leaves the data folder`);
  const re = globToRegExp(base);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => re.test(n) && !n.endsWith('.duckdb') && !n.endsWith('.wal') && !n.endsWith('.tmp'))
    .sort()
    .map((n) => path.join(folder, n));
}

export async function runFilePipeline(
  pipeline: Pipeline,
  writer: DuckDBIngestWriter,
  context: PipelineRunContext,
): Promise<PipelineRunResult> {
  const spec = pipeline.fileImport;
  if (!spec) throw pipelineFailed(pipeline, 'no file settings');
  let files: string[];
  try {
    files = await matchFiles(pipeline.target.dataDir, spec.path);
  } catch (err) {
    throw pipelineFailed(pipeline, err instanceof Error ? err.message : String(err), err);
  }
  const text = await writer.readState(pipeline.id);
  const previous = text ? (JSON.parse(text) as FileState) : null;
  let state: FileState = {
    v: 1,
    status: 'running',
    runId: context.runId,
    done: previous?.done ?? {},
    current: previous?.status === 'running' ? previous.current : null,
  };
  const publisher = new Publisher(pipeline, writer, context);
  let rowsThisRun = 0;
  let filesDone = 0;
  context.progress({ done: 0, total: files.length, unit: 'files' });
  try {
    for (const file of files) {
      const name = path.relative(pipeline.target.dataDir, file);
      const fingerprint = (await fileFingerprint(file)) ?? '';
      if (state.done[name] === fingerprint) {
        filesDone++;
        continue;
      }
      let offset =
        state.current?.name === name && state.current.fingerprint === fingerprint ? state.current.offset : 0;
      if (offset > 0) context.log('info', `${name}: resuming after row ${offset}`);
      for (;;) {
        const before = offset;
        let read: number;
        try {
          read = await writer.importFileBatch(file, spec.format, offset, spec.batchRows, pipeline.id, (n) => {
            const finished = n < spec.batchRows;
            return JSON.stringify({
              ...state,
              done: finished ? { ...state.done, [name]: fingerprint } : state.done,
              current: finished ? null : { name, fingerprint, offset: before + n },
            } satisfies FileState);
          });
        } catch (err) {
          throw pipelineFailed(
            pipeline,
            `${name} (rows from ${offset}): ${err instanceof Error ? err.message : String(err)}`,
            err,
          );
        }
        offset += read;
        rowsThisRun += read;
        publisher.wrote();
        const finished = read < spec.batchRows;
        state = {
          ...state,
          done: finished ? { ...state.done, [name]: fingerprint } : state.done,
          current: finished ? null : { name, fingerprint, offset },
        };
        context.progress({
          done: filesDone,
          total: files.length,
          unit: 'files',
          message: `${name}: ${offset} rows`,
        });
        if (context.signal.aborted) break;
        if (finished) break;
        await publisher.maybe();
      }
      if (context.signal.aborted) break;
      filesDone++;
      context.log('info', `${name}: ${offset} rows imported`);
      context.progress({ done: filesDone, total: files.length, unit: 'files' });
    }
  } catch (err) {
    if (publisher.pending)
      await publisher
        .now('checkpoint')
        .catch((e: unknown) => context.log('error', `publish failed: ${String(e)}`));
    throw err;
  }
  if (context.signal.aborted) {
    // As for http pipelines: stop at once; the next run resumes and publishes.
    context.log('info', 'cancelled; the next run resumes where this one stopped');
    return { outcome: 'cancelled', rowsWritten: rowsThisRun };
  }
  await writer.saveState(
    pipeline.id,
    JSON.stringify({ ...state, status: 'complete', current: null } satisfies FileState),
  );
  publisher.wrote();
  await publisher.now('final');
  context.log(
    'info',
    `done: ${files.length} files (${files.length - filesDone === 0 ? 'all' : filesDone} seen), ${rowsThisRun} rows written`,
  );
  return { outcome: 'succeeded', rowsWritten: rowsThisRun };
}
