import path from 'node:path';
import { serverSourceFor, type SourceConfig } from '../../config/project/project.schema.js';
import type { Engine } from '../engine.js';
import type { IngestWriterOptions, OpenedIngest } from '../ingest-writer.js';
import { resolveSourceUrl, serverKindOfUrl } from '../source-url.js';
import type { VersionTarget, VersionWriter, VersionedTable } from '../version-writer.js';
import {
  discardStaleDuckDBVersionSession,
  duckdbRowsFileReader,
  openDuckDB,
  openDuckDBIngestWriter,
  openDuckDBVersionWriter,
} from './duckdb/index.js';

// The server engines load on first use (mysql2, pg): a process that only touches DuckDB — most
// `trellis pipeline run`s — does not pay for their drivers at start (bench/scenarios/enrichment.ts).
const mysql = () => import('./mysql/index.js');
const postgres = () => import('./postgres/index.js');

// `trellis init --from <folder of CSV/Parquet>`: the files become tables of a new DuckDB file.
export { importFilesIntoDuckDB, type FileTable } from './duckdb/index.js';
// Example generators: a fresh DuckDB file with an upload target's (empty) versioned table.
export { versionedTableSql } from './duckdb/index.js';

/**
 * The one place that maps a source's `type` to its engine. `environment` is the snapshot taken at
 * start (AppConfig.environment), used only to resolve `url_env` and `server_url_env`.
 *
 * A duckdb source whose `server_url_env` variable is set opens as the server its URL names instead
 * (default server pool; the file and the DuckDB-only keys are not used), so the rest of the server
 * never learns that the source moved.
 */
export async function openEngine(
  source: SourceConfig,
  projectDir: string,
  environment: Readonly<Record<string, string>>,
): Promise<Engine> {
  switch (source.type) {
    case 'duckdb': {
      const urlEnv = source.server_url_env;
      const server = urlEnv === undefined ? undefined : serverKindOfUrl(urlEnv, environment);
      if (urlEnv === undefined || server === undefined) return openDuckDB(source, projectDir);
      return openEngine(serverSourceFor(server, urlEnv), projectDir, environment);
    }
    case 'postgres':
      return (await postgres()).openPostgres(source, environment);
    case 'mysql':
      return (await mysql()).openMySQL(source, environment);
  }
}

/**
 * The write side: an IngestWriter (ingest-writer.ts) on the target's engine. Like openEngine, the one
 * place that maps a target's kind to its implementation.
 */
export async function openIngestWriter(options: IngestWriterOptions): Promise<OpenedIngest> {
  const { target } = options;
  switch (target.kind) {
    case 'duckdb':
      return openDuckDBIngestWriter({ ...options, target });
    case 'postgres':
      return (await postgres()).openPostgresIngestWriter({ ...options, target });
    case 'mysql':
      return (await mysql()).openMySQLIngestWriter({ ...options, target });
  }
}

/** Uploads' versioned tables (version-writer.ts) on the target's engine; the one place that maps its kind. */
export async function openVersionWriter(target: VersionTarget, spec: VersionedTable): Promise<VersionWriter> {
  switch (target.kind) {
    case 'duckdb':
      return openDuckDBVersionWriter(target, spec);
    case 'postgres':
    case 'mysql': {
      // The rows file is Parquet: a private DuckDB reads it in batches that the server's bulk path takes.
      const reader = duckdbRowsFileReader(target.readDir, target.memoryLimit, target.threads);
      return target.kind === 'postgres'
        ? (await postgres()).openPostgresVersionWriter(target.url, spec, reader)
        : (await mysql()).openMySQLVersionWriter(target.url, spec, reader);
    }
  }
}

/**
 * Start-up recovery of a versioned-table session a killed process left: a DuckDB session's private
 * copy of the served file is removed (true when there was one); a server's session was one
 * transaction, which the database rolled back when the connection died, so there is nothing to do.
 */
export async function discardStaleVersionSession(target: VersionTarget): Promise<boolean> {
  return target.kind === 'duckdb' ? discardStaleDuckDBVersionSession(target) : false;
}

/**
 * Where an upload target's versioned table lives, from its source: the served DuckDB file, or the
 * database server a source names (`url_env`, or a DuckDB source moved by `server_url_env`).
 */
export function versionTargetOf(
  source: SourceConfig,
  projectDir: string,
  environment: Readonly<Record<string, string>>,
  rowsAccess: { readonly readDir: string; readonly memoryLimit: string; readonly threads: number },
): VersionTarget {
  switch (source.type) {
    case 'duckdb': {
      const urlEnv = source.server_url_env;
      const server = urlEnv === undefined ? undefined : serverKindOfUrl(urlEnv, environment);
      if (urlEnv === undefined || server === undefined)
        return { kind: 'duckdb', servedFile: path.resolve(projectDir, source.path), ...rowsAccess };
      return versionTargetOf(serverSourceFor(server, urlEnv), projectDir, environment, rowsAccess);
    }
    case 'postgres':
      return {
        kind: 'postgres',
        url: resolveSourceUrl(source.url_env, environment, ['postgres:', 'postgresql:'], 5432).url,
        ...rowsAccess,
      };
    case 'mysql':
      return {
        kind: 'mysql',
        url: resolveSourceUrl(source.url_env, environment, ['mysql:', 'mariadb:'], 3306).url,
        ...rowsAccess,
      };
  }
}

/**
 * Describes a table or view of a source (an error when it does not exist): uploads check whether a
 * target's view is there yet. The name comes from a validated project file.
 */
export function describeTable(engine: Engine, table: string): ReturnType<Engine['describe']> {
  return engine.describe({ sql: `SELECT * FROM ${engine.dialect.quoteIdentifier(table)}`, params: [] });
}

/** One or more sources could not be opened; each failure names its source. */
export class SourcesUnavailableError extends Error {
  constructor(readonly failures: readonly { readonly source: string; readonly error: unknown }[]) {
    super(failures.map((f) => `source "${f.source}": ${messageOf(f.error)}`).join('\n'));
    this.name = 'SourcesUnavailableError';
  }
}

/**
 * Opens one engine per source, all at once. If any fails, those that opened are closed again and the
 * error lists every failure (a bad config is reported whole, not one problem per restart).
 */
export async function openEngines(
  sources: ReadonlyMap<string, SourceConfig>,
  projectDir: string,
  environment: Readonly<Record<string, string>>,
): Promise<Map<string, Engine>> {
  const names = [...sources.keys()];
  const settled = await Promise.allSettled(
    [...sources.values()].map((source) => openEngine(source, projectDir, environment)),
  );
  const engines = new Map<string, Engine>();
  const failures: { source: string; error: unknown }[] = [];
  settled.forEach((r, i) => {
    const source = names[i] ?? String(i);
    if (r.status === 'fulfilled') engines.set(source, r.value);
    else failures.push({ source, error: r.reason });
  });
  if (failures.length) {
    await closeEngines(engines);
    throw new SourcesUnavailableError(failures);
  }
  return engines;
}

export async function closeEngines(engines: ReadonlyMap<string, Engine>): Promise<void> {
  await Promise.all([...engines.values()].map((e) => e.close()));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
