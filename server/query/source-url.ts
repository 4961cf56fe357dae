import { TrellisError } from '../errors.js';

export interface SourceUrl {
  /** The URL with its secrets, for the driver only. */
  readonly url: string;
  /** host:port/database without credentials: what messages and logs may show. */
  readonly target: string;
}

/**
 * Resolves a source's `url_env` from the environment snapshot taken at start (AppConfig). A missing
 * variable or a URL of the wrong kind stops the source from opening with a message that names the
 * variable — never the URL, which may hold a password.
 */
export function resolveSourceUrl(
  urlEnv: string,
  environment: Readonly<Record<string, string>>,
  protocols: readonly string[],
  defaultPort: number,
): SourceUrl {
  const value = environment[urlEnv];
  if (value === undefined || value.trim() === '')
    throw new TrellisError('SOURCE_UNAVAILABLE', {
      message: `environment variable ${urlEnv} (url_env) is not set; it should hold a ${protocols[0]}// connection URL`,
      detail: { urlEnv },
    });
  const parsed = parseUrl(value, urlEnv, 'url_env');
  if (!protocols.includes(parsed.protocol))
    throw new TrellisError('SOURCE_UNAVAILABLE', {
      message: `environment variable ${urlEnv} (url_env) holds a ${parsed.protocol}// URL; expected ${protocols.map((p) => `${p}//`).join(' or ')}`,
      detail: { urlEnv },
    });
  const target = `${parsed.hostname || 'localhost'}:${parsed.port || defaultPort}${parsed.pathname || '/'}`;
  return { url: value, target };
}

/** The database servers a file source can be moved onto (`server_url_env`), by URL scheme. */
export type ServerKind = 'postgres' | 'mysql';
const SERVER_SCHEMES: Readonly<Record<string, ServerKind>> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

/**
 * Which server the variable named by a source's `server_url_env` points at, or undefined when the
 * variable is unset or empty (the source stays on its file; `VAR= cmd` is the shell's way to unset).
 * A value that is not a URL, or one of another scheme, is SOURCE_UNAVAILABLE rather than a silent
 * fallback to the file: whoever set it meant a server. Messages name the variable, never the value.
 */
export function serverKindOfUrl(
  urlEnv: string,
  environment: Readonly<Record<string, string>>,
): ServerKind | undefined {
  const value = environment[urlEnv];
  if (value === undefined || value.trim() === '') return undefined;
  const { protocol } = parseUrl(value, urlEnv, 'server_url_env');
  const kind = SERVER_SCHEMES[protocol];
  if (kind === undefined)
    throw new TrellisError('SOURCE_UNAVAILABLE', {
      message: `environment variable ${urlEnv} (server_url_env) holds a ${protocol}// URL; expected ${Object.keys(
        SERVER_SCHEMES,
      )
        .map((p) => `${p}//`)
        .join(', ')}`,
      detail: { urlEnv },
    });
  return kind;
}

function parseUrl(value: string, urlEnv: string, key: string): URL {
  try {
    return new URL(value);
  } catch {
    // The parser's message would quote the value, and the value may contain a password.
    throw new TrellisError('SOURCE_UNAVAILABLE', {
      message: `environment variable ${urlEnv} (${key}) does not hold a valid URL`,
      detail: { urlEnv },
    });
  }
}
