import type { ClientConfig } from 'pg';
import type { SourceConfig } from '../../../config/project/project.schema.js';
import { parseDuration } from '../../../config/units.js';
import { resolveSourceUrl } from '../../source-url.js';

export type PostgresSourceConfig = Extract<SourceConfig, { type: 'postgres' }>;

export interface PostgresSettings {
  /** For pg.Client; the URL comes from the environment variable named by `url_env`. */
  readonly client: ClientConfig;
  /** host:port/database, for messages (the URL may hold a password). */
  readonly target: string;
  readonly poolSize: number;
  readonly queueLimit: number;
  readonly acquireTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** The source's own per-statement cap, if it has one below the project's query timeout. */
  readonly statementTimeoutMs: number | undefined;
}

export function postgresSettings(
  source: PostgresSourceConfig,
  environment: Readonly<Record<string, string>>,
): PostgresSettings {
  const { url, target } = resolveSourceUrl(source.url_env, environment, ['postgres:', 'postgresql:'], 5432);
  const acquireTimeoutMs = parseDuration(source.pool.acquire_timeout);
  return {
    client: {
      connectionString: url,
      // A server that does not answer is SOURCE_UNAVAILABLE within the acquire timeout, not the OS's minutes.
      connectionTimeoutMillis: acquireTimeoutMs,
      keepAlive: true,
      // Parameters in the URL take precedence (pg merges them over these).
      application_name: 'trellis',
    },
    target,
    poolSize: source.pool.size,
    queueLimit: source.pool.queue,
    acquireTimeoutMs,
    idleTimeoutMs: parseDuration(source.pool.idle_timeout),
    statementTimeoutMs:
      source.statement_timeout === undefined ? undefined : parseDuration(source.statement_timeout),
  };
}
