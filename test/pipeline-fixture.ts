import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildDatabase } from '../examples/clinical-trials/generator/build-database.js';
import { DEFAULT_SEED } from '../examples/clinical-trials/generator/generate-studies.js';
import { clinicalTrialsDir, repoRoot } from './paths.js';

/**
 * A copy of the clinical-trials example in a temp folder for pipeline tests: its project files and
 * its real `pipelines/ctgov.yaml`, with only the settings a test must change replaced (no rate limit,
 * short timeouts and backoff, smaller pages), and optionally a small served database of both demo
 * organisations. Temp folders are removed when the process exits.
 */
export interface PipelineProject {
  readonly dir: string;
  readonly served: string;
  readonly ingest: string;
}

export interface PipelineProjectOptions {
  readonly pageSize?: number;
  readonly timeout?: string;
  readonly retries?: number;
  readonly publishEveryPages?: number;
  /**
   * Build a served file of this many generated studies first (60 % atlas, 40 % beacon; the replay
   * server's seed, so the same NCT ids then arrive for atlas).
   */
  readonly servedStudies?: number;
  /** Write transforms/ctgov-study.js re-exporting the built transform (for `trellis pipeline run`). */
  readonly forCli?: boolean;
}

const created: string[] = [];
process.once('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

export async function createPipelineProject(options: PipelineProjectOptions = {}): Promise<PipelineProject> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-pipeline-'));
  created.push(dir);
  for (const part of ['trellis.yaml', 'datasets', 'dashboards', 'sql', 'pipelines'])
    cpSync(path.join(clinicalTrialsDir, part), path.join(dir, part), { recursive: true });
  mkdirSync(path.join(dir, 'transforms'));
  cpSync(
    path.join(clinicalTrialsDir, 'transforms', 'ctgov-study.ts'),
    path.join(dir, 'transforms', 'ctgov-study.ts'),
  );
  if (options.forCli) {
    const built = path.join(repoRoot, 'dist', 'examples', 'clinical-trials', 'transforms', 'ctgov-study.js');
    writeFileSync(
      path.join(dir, 'transforms', 'ctgov-study.js'),
      `export * from ${JSON.stringify(built)};\n`,
    );
  }
  mkdirSync(path.join(dir, 'data'));
  const file = path.join(dir, 'pipelines', 'ctgov.yaml');
  let yaml = readFileSync(file, 'utf8');
  const set = (pattern: RegExp, replacement: string) => {
    if (!pattern.test(yaml)) throw new Error(`ctgov.yaml has no ${pattern.source}`);
    yaml = yaml.replace(pattern, replacement);
  };
  set(/\n {2}rate_limit: .*\n/, '\n');
  set(/pageSize: \d+.*\n/, `pageSize: ${options.pageSize ?? 100}\n`);
  set(/timeout: \S+/, `timeout: ${options.timeout ?? '2s'}`);
  set(/retries: \d+/, `retries: ${options.retries ?? 4}`);
  set(/ backoff: \S+/, ' backoff: 10ms');
  set(/max_backoff: \S+/, 'max_backoff: 200ms');
  set(/publish_every: .*\n/, `publish_every: { pages: ${options.publishEveryPages ?? 1000} }\n`);
  writeFileSync(file, yaml);
  const served = path.join(dir, 'data', 'trials.duckdb');
  if (options.servedStudies)
    await buildDatabase({ file: served, studies: options.servedStudies, seed: DEFAULT_SEED });
  return { dir, served, ingest: path.join(dir, 'data', 'trials.ingest.duckdb') };
}

export interface TableSummary {
  readonly rows: number;
  /** Sum of a hash of every column of every row: equal for equal multisets of rows. */
  readonly checksum: string;
}

/**
 * Row count and checksum per table of a DuckDB file, for one organisation (or all when null), over
 * every column but `exclude` (e.g. `org`, to compare rows written for different organisations).
 */
export async function summarise(
  file: string,
  tables: readonly string[],
  org: string | null,
  exclude: readonly string[] = [],
): Promise<Record<string, TableSummary>> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const conn = await instance.connect();
    const out: Record<string, TableSummary> = {};
    for (const table of tables) {
      const cols = await conn.runAndReadAll(
        `SELECT column_name FROM duckdb_columns() WHERE table_name = $1 AND schema_name = 'main' ORDER BY column_index`,
        [table],
      );
      const names = cols
        .getRowObjectsJS()
        .map((r) => String(r['column_name']))
        .filter((c) => !exclude.includes(c))
        .map((c) => `"${c}"`);
      const r = await conn.runAndReadAll(
        `SELECT count(*)::BIGINT AS n, coalesce(sum(hash(${names.join(', ')})), 0)::VARCHAR AS h FROM "${table}"${org ? ' WHERE org = $1' : ''}`,
        org ? [org] : [],
      );
      const row = r.getRowObjectsJS()[0] ?? {};
      out[table] = { rows: Number(row['n']), checksum: String(row['h']) };
    }
    conn.closeSync();
    return out;
  } finally {
    instance.closeSync();
  }
}

/** One query's rows as plain objects (read-only). */
export async function queryFile(
  file: string,
  sql: string,
  values: (string | number)[] = [],
): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const conn = await instance.connect();
    const r = await conn.runAndReadAll(sql, values);
    conn.closeSync();
    return r.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    instance.closeSync();
  }
}
