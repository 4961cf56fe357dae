import type { Engine } from '../../engine.js';
import { postgresSettings, type PostgresSourceConfig } from './postgres-config.js';
import { PostgresEngine } from './postgres-engine.js';

export async function openPostgres(
  source: PostgresSourceConfig,
  environment: Readonly<Record<string, string>>,
): Promise<Engine> {
  return PostgresEngine.open(postgresSettings(source, environment));
}
export { postgresDialect } from './postgres-dialect.js';
