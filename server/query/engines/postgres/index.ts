import type { Engine } from '../../engine.js';
import type { IngestTarget, IngestWriterOptions, OpenedIngest } from '../../ingest-writer.js';
import { PostgresIngestWriter } from './postgres-ingest-writer.js';
import { postgresSettings, type PostgresSourceConfig } from './postgres-config.js';
import { PostgresEngine } from './postgres-engine.js';

export async function openPostgres(
  source: PostgresSourceConfig,
  environment: Readonly<Record<string, string>>,
): Promise<Engine> {
  return PostgresEngine.open(postgresSettings(source, environment));
}

// What the rest of the server may use besides the opener: this file is the folder's only door.
export { postgresDialect } from './postgres-dialect.js';

/** The IngestWriter on a PostgreSQL database: each page one transaction, visible on commit. */
export async function openPostgresIngestWriter(
  options: IngestWriterOptions & { readonly target: Extract<IngestTarget, { kind: 'postgres' }> },
): Promise<OpenedIngest> {
  return { writer: await PostgresIngestWriter.open(options), rebuilt: null };
}

/** A versioned-table session on a PostgreSQL database (uploads): one transaction, rows in by COPY. */
export { openPostgresVersionWriter } from './postgres-version-writer.js';
