import type { Engine } from '../../engine.js';
import { mysqlSettings, type MySQLSourceConfig } from './mysql-config.js';
import { MySQLEngine } from './mysql-engine.js';

export async function openMySQL(
  source: MySQLSourceConfig,
  environment: Readonly<Record<string, string>>,
): Promise<Engine> {
  return MySQLEngine.open(mysqlSettings(source, environment));
}
export { mariadbDialect, mysqlDialect } from './mysql-dialect.js';
