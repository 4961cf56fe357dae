import type { Engine } from '../../engine.js';
import type { IngestTarget, IngestWriterOptions, OpenedIngest } from '../../ingest-writer.js';
import { MySQLIngestWriter } from './mysql-ingest-writer.js';
import { mysqlSettings, type MySQLSourceConfig } from './mysql-config.js';
import { MySQLEngine } from './mysql-engine.js';

export async function openMySQL(
  source: MySQLSourceConfig,
  environment: Readonly<Record<string, string>>,
): Promise<Engine> {
  return MySQLEngine.open(mysqlSettings(source, environment));
}

// What the rest of the server may use besides the opener: this file is the folder's only door.
export { mariadbDialect, mysqlDialect } from './mysql-dialect.js';

/** The IngestWriter on a MySQL/MariaDB database: each page one transaction, visible on commit. */
export async function openMySQLIngestWriter(
  options: IngestWriterOptions & { readonly target: Extract<IngestTarget, { kind: 'mysql' }> },
): Promise<OpenedIngest> {
  return { writer: await MySQLIngestWriter.open(options), rebuilt: null };
}

/** A versioned-table session on a MySQL/MariaDB database (uploads): one transaction, multi-row INSERTs. */
export { openMySQLVersionWriter } from './mysql-version-writer.js';
