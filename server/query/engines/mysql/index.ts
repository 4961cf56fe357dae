import type { Engine } from '../../engine.js';
import { mysqlSettings, type MySQLSourceConfig } from './mysql-config.js';
import { MySQLEngine } from './mysql-driver.js';

export async function openMySQL(
  source: MySQLSourceConfig,
  environment: Readonly<Record<string, string>>,
): Promise<Engine> {
  return MySQLEngine.open(mysqlSettings(source, environment));
}
