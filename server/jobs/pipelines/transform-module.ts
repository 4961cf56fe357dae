import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TrellisError } from '../../errors.js';
import type { Pipeline } from '../../config/project/pipeline.types.js';
import {
  declarativeMapper,
  transformMapper,
  type ItemMapper,
  type TransformFunction,
} from './row-mapping.js';

// The repository root, from src (server/jobs/pipelines) or from the build (dist/server/jobs/pipelines).
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(
  here,
  '..',
  '..',
  '..',
  ...(here.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []),
);
const runningFromBuild = here.includes(`${path.sep}dist${path.sep}`);

/**
 * Where to import a transform module from. A `.js`/`.mjs` file is imported as it is. For a `.ts`
 * file, in order: a compiled `.js` beside it; when Trellis runs from its build and the project is
 * one of its own (the examples), the compiled copy under dist/; else the `.ts` itself (vitest and
 * Node 22.18+ load TypeScript; older Node answers with a clear error).
 */
export function transformCandidates(projectDir: string, module: string): string[] {
  const file = path.join(projectDir, module);
  if (!file.endsWith('.ts')) return [file];
  const js = file.replace(/\.ts$/, '.js');
  const candidates = [js];
  const rel = path.relative(repoRoot, file);
  if (runningFromBuild && !rel.startsWith('..') && !path.isAbsolute(rel))
    candidates.push(path.join(repoRoot, 'dist', rel.replace(/\.ts$/, '.js')));
  candidates.push(file);
  return candidates;
}

/** The pipeline's item mapper: its transform module's function, or its declarative field paths. */
export async function loadMapper(pipeline: Pipeline, projectDir: string): Promise<ItemMapper> {
  const map = pipeline.map;
  if (!map) throw new Error(`pipeline ${pipeline.id} has no map`);
  if (map.kind === 'rows') return declarativeMapper(pipeline, map.rows);
  const file = transformCandidates(projectDir, map.module).find((f) => existsSync(f));
  const failed = (why: string, cause?: unknown) =>
    new TrellisError('PIPELINE_FAILED', {
      message: `Pipeline ${pipeline.id}: the transform ${map.module} cannot be loaded: ${why}`,
      detail: { pipeline: pipeline.id, module: map.module },
      ...(cause === undefined ? {} : { cause }),
    });
  if (!file) throw failed('file not found');
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION')
      throw failed('this Node.js cannot load TypeScript; compile it to a .js file beside it', err);
    throw failed(err instanceof Error ? err.message : String(err), err);
  }
  const fn = loaded[map.exportName];
  if (typeof fn !== 'function') throw failed(`it has no function export "${map.exportName}"`);
  return transformMapper(pipeline, fn as TransformFunction);
}
