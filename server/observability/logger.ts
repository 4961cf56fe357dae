import type { LoggerOptions } from 'pino';

/**
 * pino options shared by the server and the CLI. JSON lines; fastify adds `reqId` to every line
 * logged while handling a request. Credentials and cookies are redacted before they are written.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'trellis' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
  };
}
