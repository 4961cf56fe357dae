import type { ClientConfig } from 'pg';
import type { SourceConfig } from '../../../config/project/project.schema.js';
import { serverSettingsOf, type ServerSettings } from '../../server-engine-core.js';
import { resolveSourceUrl } from '../../source-url.js';

export type PostgresSourceConfig = Extract<SourceConfig, { type: 'postgres' }>;

/** The pool and time limits (ServerSettings), and how to connect. */
export interface PostgresSettings extends ServerSettings {
  /** For pg.Client; the URL comes from the environment variable named by `url_env`. */
  readonly client: ClientConfig;
  /** host:port/database, for messages (the URL may hold a password). */
  readonly target: string;
}

export function postgresSettings(
  source: PostgresSourceConfig,
  environment: Readonly<Record<string, string>>,
): PostgresSettings {
  const { url, target } = resolveSourceUrl(source.url_env, environment, ['postgres:', 'postgresql:'], 5432);
  const server = serverSettingsOf(source);
  const { acquireTimeoutMs } = server;
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
    ...server,
  };
}
