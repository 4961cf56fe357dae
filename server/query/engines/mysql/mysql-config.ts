import type { ConnectionOptions } from 'mysql2';
import type { SourceConfig } from '../../../config/project/project.schema.js';
import { serverSettingsOf, type ServerSettings } from '../../server-engine-core.js';
import { resolveSourceUrl } from '../../source-url.js';

export type MySQLSourceConfig = Extract<SourceConfig, { type: 'mysql' }>;

/** The pool and time limits (ServerSettings), and how to connect. */
export interface MySQLSettings extends ServerSettings {
  /** For mysql2.createConnection; the URL comes from the environment variable named by `url_env`. */
  readonly connection: ConnectionOptions;
  /** host:port/database, for messages (the URL may hold a password). */
  readonly target: string;
}

/**
 * Result values arrive as text wherever the driver would guess: dates and datetimes as strings (no JS
 * Date at some local midnight), BIGINT and DECIMAL as strings (no silent rounding); the introspector
 * reads them by column type. Set per connection and again per statement, so a URL parameter cannot
 * change what the engine reads.
 */
export const RESULT_OPTIONS = {
  rowsAsArray: true,
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  timezone: 'Z',
} as const;

export function mysqlSettings(
  source: MySQLSourceConfig,
  environment: Readonly<Record<string, string>>,
): MySQLSettings {
  const { url, target } = resolveSourceUrl(source.url_env, environment, ['mysql:', 'mariadb:'], 3306);
  const server = serverSettingsOf(source);
  const { acquireTimeoutMs } = server;
  return {
    connection: {
      uri: url.replace(/^mariadb:/, 'mysql:'),
      ...RESULT_OPTIONS,
      // A server that does not answer is SOURCE_UNAVAILABLE within the acquire timeout.
      connectTimeout: acquireTimeoutMs,
      enableKeepAlive: true,
      charset: 'utf8mb4',
      multipleStatements: false,
      // Server-side prepared statements (real bound values) are cached per connection; bounded,
      // because the server holds each one in memory (max_prepared_stmt_count is global).
      maxPreparedStatements: 256,
    },
    target,
    ...server,
  };
}
