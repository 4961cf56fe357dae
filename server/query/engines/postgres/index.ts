import type { Engine } from '../../engine.js';
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
