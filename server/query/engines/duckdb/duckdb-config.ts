import path from 'node:path';
import type { SourceConfig } from '../../../config/project/project.schema.js';

export type DuckDBSourceConfig = Extract<SourceConfig, { type: 'duckdb' }>;

export interface DuckDBSettings {
  readonly file: string;
  /** Options given when the instance is created. */
  readonly instanceOptions: Record<string, string>;
  /**
   * Statements run once on the first connection, in order. External access is switched off last and
   * the configuration locked, so no later statement — and no SQL in a dataset — can re-open it.
   */
  readonly lockdown: readonly string[];
  readonly poolSize: number;
  readonly queueLimit: number;
  /** Prepared statements kept per pooled connection, least recently used evicted (duckdb-statements.ts). */
  readonly statementsPerConnection: number;
  /**
   * A private folder (made at open, removed at close) that `COPY … TO` may write exports into; the
   * only place besides the data folder this engine's file access reaches.
   */
  readonly exportDirectory?: string;
  /**
   * Options of the export-only instance (duckdb-export-instance.ts): the same file and lockdown, a
   * capped memory and a temp folder inside the export folder to spill sorts into. Absent without an
   * export folder: exports then run on the pool's connections.
   */
  readonly exportInstanceOptions?: Record<string, string>;
}

/**
 * A dashboard's widgets, their table pages and sorts, and filter option lists are a few dozen
 * statements; 64 per connection keeps them all prepared without letting odd traffic grow memory.
 */
export const STATEMENTS_PER_CONNECTION = 64;

/** DuckDB memory of a source's export instance unless `export_memory_limit` says otherwise. */
export const DEFAULT_EXPORT_MEMORY = '48MB';

export function duckdbSettings(
  source: DuckDBSourceConfig,
  projectDir: string,
  exportDirectory?: string,
): DuckDBSettings {
  const file = path.resolve(projectDir, source.path);
  const allowed = [
    ...source.allowed_directories.map((d) => path.resolve(projectDir, d) + path.sep),
    ...(exportDirectory ? [path.resolve(exportDirectory) + path.sep] : []),
  ];
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const common = {
    access_mode: 'READ_ONLY',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    // jemalloc (DuckDB's allocator) hands freed pages back to the system from its own threads, a
    // second or two after a query ends; without them a big sort's pages stay in RSS until the next
    // allocation (measured, 1 M-row sorted COPY: +56 MB still resident 4 s after it, +6 MB with them).
    allocator_background_threads: 'true',
    ...(source.threads ? { threads: String(source.threads) } : {}),
  };
  return {
    file,
    instanceOptions: {
      ...common,
      ...(source.memory_limit ? { memory_limit: source.memory_limit } : {}),
    },
    ...(exportDirectory
      ? {
          exportInstanceOptions: {
            ...common,
            memory_limit: source.export_memory_limit ?? DEFAULT_EXPORT_MEMORY,
            // One thread: each DuckDB thread keeps sort and writer buffers of its own outside the
            // buffer pool (measured, 1 M-row sorted COPY at 48MB: +100 MB RSS with 2 threads, +53 MB
            // with 1); an export is bulk work a user waits for anyway, the dashboards keep the cores.
            threads: '1',
            temp_directory: path.join(path.resolve(exportDirectory), 'spill'),
          },
        }
      : {}),
    lockdown: [
      `SET allowed_directories = [${allowed.map(quote).join(', ')}]`,
      `SET allowed_paths = [${quote(file)}]`,
      'SET enable_external_access = false',
      'SET lock_configuration = true',
    ],
    poolSize: source.pool.size,
    queueLimit: source.pool.queue,
    statementsPerConnection: STATEMENTS_PER_CONNECTION,
    ...(exportDirectory ? { exportDirectory: path.resolve(exportDirectory) } : {}),
  };
}
