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
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    // The parser's message would quote the value, and the value may contain a password.
    throw new TrellisError('SOURCE_UNAVAILABLE', {
      message: `environment variable ${urlEnv} (url_env) does not hold a valid URL`,
      detail: { urlEnv },
    });
  }
  if (!protocols.includes(parsed.protocol))
    throw new TrellisError('SOURCE_UNAVAILABLE', {
      message: `environment variable ${urlEnv} (url_env) holds a ${parsed.protocol}// URL; expected ${protocols.map((p) => `${p}//`).join(' or ')}`,
      detail: { urlEnv },
    });
  const target = `${parsed.hostname || 'localhost'}:${parsed.port || defaultPort}${parsed.pathname || '/'}`;
  return { url: value, target };
}
