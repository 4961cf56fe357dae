import type { Engine } from '../../engine.js';
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
