import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseByteSize } from './units.js';

/**
 * The server's environment, parsed once at start. Nothing else reads process.env. A bad value
 * stops the start with every problem listed, rather than a default quietly taking its place.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest accepted request body. */
  TRELLIS_BODY_LIMIT: z
    .string()
    .regex(/^\d+(B|KB|MB)$/)
    .default('64KB'),
  /** Seconds to finish in-flight requests on SIGTERM before exiting anyway. */
  TRELLIS_SHUTDOWN_GRACE: z.coerce.number().int().min(0).max(600).default(10),
  /** Folder of the built web app; defaults to dist/web beside the server. */
  TRELLIS_WEB_ROOT: z.string().optional(),
});

export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly bodyLimit: number;
  readonly shutdownGraceMs: number;
  /** Built web app, or undefined to serve the API only. */
  readonly webRoot: string | undefined;
  /**
   * A frozen snapshot of the environment, only for resolving `url_env` references of project
   * sources (connection URLs are secrets and live in the environment, never in project files).
   * Everything else reads its own typed field above.
   */
  readonly environment: Readonly<Record<string, string>>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  ...(import.meta.url.includes('/dist/') ? ['..'] : []),
);

export function parseEnv(env: NodeJS.ProcessEnv): AppConfig {
  const r = envSchema.safeParse(env);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = r.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    bodyLimit: parseByteSize(e.TRELLIS_BODY_LIMIT),
    shutdownGraceMs: e.TRELLIS_SHUTDOWN_GRACE * 1000,
    webRoot: e.TRELLIS_WEB_ROOT ? path.resolve(e.TRELLIS_WEB_ROOT) : path.join(repoRoot, 'dist', 'web'),
    environment: snapshot(env),
  };
}

function snapshot(env: NodeJS.ProcessEnv): Readonly<Record<string, string>> {
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) copy[name] = value;
  return Object.freeze(copy);
}

/** Defaults for tests and tools: no env consulted. */
export function defaultConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...parseEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), ...overrides };
}
