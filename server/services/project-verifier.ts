import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { YamlSource } from '../config/project/yaml-source.js';
import type { Dataset, Project, ProjectProblem } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';
import { compileDescribe, compilePlan } from '../query/compiler.js';
import type { Engine } from '../query/engine.js';
import { PREPARE_ONLY_TENANT } from '../query/plan.js';

/**
 * Checks the project against its sources: every declared column exists with a fitting type, and
 * every computed column and measure expression compiles. Statements are only prepared, never run.
 */
export async function verifyAgainstSources(
  project: Project,
  engines: ReadonlyMap<string, Engine>,
): Promise<ProjectProblem[]> {
  const problems: ProjectProblem[] = [];
  for (const ds of project.datasets.values()) {
    const engine = engines.get(ds.source);
    if (!engine) continue;
    const src = new YamlSource(ds.file, await readFile(path.join(project.dir, ds.file), 'utf8'));
    const at = (p: (string | number)[], message: string) =>
      problems.push({ file: ds.file, line: src.lineOf(p), message });
    await verifyDataset(ds, engine, at);
  }
  return problems;
}

async function verifyDataset(
  ds: Dataset,
  engine: Engine,
  at: (p: (string | number)[], message: string) => void,
): Promise<void> {
  let described;
  try {
    described = await engine.describe(compileDescribe(ds, engine.dialect));
  } catch (err) {
    const where = ds.from.kind === 'table' ? ['table'] : ['sql'];
    return at(
      where,
      `cannot read ${ds.from.kind === 'table' ? `table "${ds.from.table}"` : ds.from.file}: ${reason(err)}`,
    );
  }
  const byName = new Map(described.map((c) => [c.name, c]));
  for (const col of ds.columns.values()) {
    if (col.sql) continue;
    const found = byName.get(col.name);
    if (!found) {
      at(
        ['columns', col.name],
        `column "${col.name}" does not exist in ${sourceName(ds)} (it has: ${[...byName.keys()].slice(0, 30).join(', ')})`,
      );
    } else if (found.type !== col.type && !(col.type === 'date' && found.type === 'timestamp')) {
      at(
        ['columns', col.name, 'type'],
        `column "${col.name}" is declared ${col.type} but ${sourceName(ds)} has ${found.nativeType}`,
      );
    }
  }
  const options = { maxRows: 1 };
  for (const col of ds.columns.values()) {
    if (!col.sql) continue;
    await prepare(
      engine,
      compilePlan(
        {
          kind: 'rows',
          dataset: ds.id,
          tenant: PREPARE_ONLY_TENANT,
          columns: [col.name],
          filters: [],
          sort: [],
          limit: 0,
          offset: 0,
        },
        ds,
        engine.dialect,
        options,
      ),
      (m) => at(['columns', col.name, 'sql'], `column "${col.name}": ${m}`),
    );
  }
  for (const m of ds.measures.values()) {
    await prepare(
      engine,
      compilePlan(
        {
          kind: 'aggregate',
          dataset: ds.id,
          tenant: PREPARE_ONLY_TENANT,
          dimensions: [],
          measures: [m.name],
          filters: [],
          sort: [],
        },
        ds,
        engine.dialect,
        options,
      ),
      (msg) => at(['measures', m.name], `measure "${m.name}": ${msg}`),
    );
  }
}

async function prepare(
  engine: Engine,
  query: Parameters<Engine['describe']>[0],
  onError: (message: string) => void,
): Promise<void> {
  try {
    await engine.describe(query);
  } catch (err) {
    onError(reason(err));
  }
}

function sourceName(ds: Dataset): string {
  return ds.from.kind === 'table' ? `table "${ds.from.table}"` : ds.from.file;
}

function reason(err: unknown): string {
  const message =
    err instanceof TrellisError ? String(err.detail?.error ?? err.message) : (err as Error).message;
  return (message.split('\n')[0] ?? message).slice(0, 300);
}
