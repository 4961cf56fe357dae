import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseAllowList } from '../reports/webhook-address.js';
import { parseByteSize, parseDuration } from './units.js';

/** Which requests get an access-log line: see server/http/request-log.ts. */
export const REQUEST_LOG_MODES = ['off', 'errors', 'sampled', 'all'] as const;
export interface RequestLogConfig {
  readonly mode: (typeof REQUEST_LOG_MODES)[number];
  /** 0–1: the share of successful requests logged in `sampled` mode. */
  readonly sample: number;
}

/**
 * The server's environment, parsed once at start. Nothing else reads process.env. A bad value
 * stops the start with every problem listed, rather than a default quietly taking its place.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Access-log lines: off | errors (status ≥ 400; the default) | sampled | all (server/http/request-log.ts). */
  TRELLIS_REQUEST_LOG: z.enum(REQUEST_LOG_MODES).default('errors'),
  /** `sampled`: the share of successful requests logged, 0–1. */
  TRELLIS_REQUEST_LOG_SAMPLE: z.coerce.number().min(0).max(1).default(0.01),
  /** Largest accepted request body. */
  TRELLIS_BODY_LIMIT: z
    .string()
    .regex(/^\d+(B|KB|MB)$/)
    .default('64KB'),
  /** Seconds to finish in-flight requests on SIGTERM before exiting anyway. */
  TRELLIS_SHUTDOWN_GRACE: z.coerce.number().int().min(0).max(600).default(10),
  /**
   * Seconds a SIGTERM'd instance keeps serving, not ready (/readyz 503) and closing each connection
   * after its response, so load balancers move traffic away before it stops listening. 0 = none.
   */
  TRELLIS_SHUTDOWN_DRAIN: z.coerce.number().int().min(0).max(120).default(3),
  /**
   * Connections the kernel queues for the server before it accepts them (listen backlog). Node's
   * default, 511, overflows when hundreds of browsers connect within a second while the event loop
   * is busy, and the excess is reset. Linux caps it at net.core.somaxconn.
   */
  TRELLIS_LISTEN_BACKLOG: z.coerce.number().int().min(1).max(65_535).default(4096),
  /** libuv's thread pool (argon2, DuckDB, files); bin/trellis.js sets 8 unless given. Read here, never changed. */
  UV_THREADPOOL_SIZE: z.coerce.number().int().min(1).max(1024).default(4),
  /** argon2 operations (sign-in, password change) at once; default half the libuv pool (at least 1). */
  TRELLIS_PASSWORD_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  /** argon2 operations that may wait for a turn; more is SIGN_IN_BUSY (503, Retry-After). */
  TRELLIS_PASSWORD_QUEUE: z.coerce.number().int().min(0).max(10_000).default(100),
  /** Folder of the built web app; defaults to dist/web beside the server. */
  TRELLIS_WEB_ROOT: z.string().optional(),
  /** Shared cache for several instances (redis://…); unset = the in-process memory cache. */
  TRELLIS_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .optional(),
  /** Memory cache budget (values and keys), and the largest single result cached (memory or Redis). */
  TRELLIS_CACHE_MAX_BYTES: z
    .string()
    .regex(/^\d+(B|KB|MB|GB)$/)
    .default('128MB'),
  TRELLIS_CACHE_MAX_ENTRY_BYTES: z
    .string()
    .regex(/^\d+(B|KB|MB|GB)$/)
    .default('8MB'),
  /** A Redis command slower than this fails and the request goes on without the cache. */
  TRELLIS_CACHE_COMMAND_TIMEOUT: z
    .string()
    .regex(/^\d+(ms|s)$/)
    .default('1s'),
  /** Redis key prefix part; instances serving the same project must share it. Default: the project name. */
  TRELLIS_CACHE_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
  /** Where background jobs wait: `store` (the metadata store; default) or `redis` (BullMQ on TRELLIS_REDIS_URL). */
  TRELLIS_QUEUE: z.enum(['store', 'redis']).default('store'),
  /** Jobs (pipeline runs) one worker process runs at once. */
  TRELLIS_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  /** On SIGTERM, how long running jobs get to reach a checkpoint before the worker exits anyway. */
  TRELLIS_WORKER_SHUTDOWN_GRACE: z
    .string()
    .regex(/^\d+(ms|s|m)$/)
    .default('20s'),
  /** A worker that stops heartbeating (killed) loses its jobs to another worker after this long (store queue lease, BullMQ lock). */
  TRELLIS_WORKER_LEASE: z
    .string()
    .regex(/^\d+(ms|s|m)$/)
    .default('30s'),
  /** Jobs waiting at most; more is QUEUE_FULL. */
  TRELLIS_QUEUE_MAX_JOBS: z.coerce.number().int().min(10).max(1_000_000).default(10_000),
  /** The longest one pipeline run may take before it fails with JOB_TIMEOUT. */
  TRELLIS_JOB_TIMEOUT: z
    .string()
    .regex(/^\d+(s|m|h)$/)
    .default('6h'),
  /** Open update streams (SSE) the server holds at once; one per open dashboard tab. */
  TRELLIS_MAX_EVENT_STREAMS: z.coerce.number().int().min(0).max(100_000).default(2000),
  /** Update streams one user may hold open at once, per kind (dashboards, runs); more is TOO_MANY_STREAMS. */
  TRELLIS_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  /**
   * Data requests (widget data, filter options) per user: a token bucket refilled at TRELLIS_DATA_RATE
   * per second up to TRELLIS_DATA_BURST; beyond it RATE_LIMITED (429, Retry-After). 0 turns it off.
   */
  TRELLIS_DATA_RATE: z.coerce.number().min(0).max(100_000).default(20),
  TRELLIS_DATA_BURST: z.coerce.number().int().min(1).max(1_000_000).default(200),
  /**
   * Host names (comma-separated) this server answers for besides localhost, 127.0.0.1, ::1, HOST and
   * TRELLIS_PUBLIC_URL's host; `*` answers for any. Without TRELLIS_PUBLIC_URL the Host header is
   * checked on every request (DNS rebinding); with it, only when this is set.
   */
  TRELLIS_ALLOWED_HOSTS: z
    .string()
    .regex(/^(\*|[A-Za-z0-9.:[\]-]+(,[A-Za-z0-9.:[\]-]+)*)$/, 'expected host names separated by commas, or *')
    .optional(),
  /** Consecutive "source unavailable" failures that open a source's circuit, and its cool-down. */
  TRELLIS_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  TRELLIS_BREAKER_COOLDOWN: z
    .string()
    .regex(/^\d+(ms|s|m)$/)
    .default('10s'),
  /**
   * Folder for the embedded metadata store (SQLite file meta.sqlite). Unset: `.trellis/` inside the
   * project folder, so `serve DIR` and every CLI command on DIR find the same store wherever they run.
   */
  TRELLIS_DATA_DIR: z.string().min(1).optional(),
  /** postgres://… for the metadata store shared by several instances; unset = the embedded SQLite file. */
  TRELLIS_METADATA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
    .optional(),
  /** The address users reach the server at; https:// makes the session cookie Secure and __Host- prefixed. */
  TRELLIS_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Session lifetime: ended after this long without a request (idle) and this long after login (absolute). */
  TRELLIS_SESSION_IDLE: z
    .string()
    .regex(/^\d+(s|m|h)$/)
    .default('30m'),
  TRELLIS_SESSION_ABSOLUTE: z
    .string()
    .regex(/^\d+(s|m|h)$/)
    .default('12h'),
  /**
   * Signs the CSRF tokens (HMAC of the session). At least 32 bytes of random text; `serve` refuses
   * to start without it (except `--demo`, which makes a random one per start).
   */
  TRELLIS_SESSION_SECRET: z.string().optional(),
  /** Login throttling: failed attempts allowed per account and per client address within the window. */
  TRELLIS_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(10).default(10),
  TRELLIS_LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(10_000).default(100),
  TRELLIS_LOGIN_WINDOW: z
    .string()
    .regex(/^\d+(s|m|h)$/)
    .default('15m'),
  /**
   * Behind a reverse proxy: the number of proxy hops, or a comma-separated list of proxy addresses,
   * whose X-Forwarded-For is believed. Unset = the socket address is the client (per-IP throttling).
   */
  TRELLIS_TRUST_PROXY: z
    .string()
    .regex(
      /^(\d{1,2}|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*)$/,
      'expected a hop count or a list of proxy addresses',
    )
    .optional(),
  /**
   * Pipeline runs (docs/pipelines.md): DuckDB memory limit and threads of the ingest connection. The
   * worker's memory is mostly this plus one page of JSON; one thread is fastest for page-sized writes.
   */
  TRELLIS_INGEST_MEMORY: z
    .string()
    .regex(/^\d+(MB|GB)$/, 'expected a size such as 128MB')
    .default('128MB'),
  TRELLIS_INGEST_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  /** Where uploaded files wait for preview and import (docs/uploads.md); shared by web and worker. */
  TRELLIS_UPLOAD_DIR: z.string().min(1).optional(),
  /**
   * Outgoing e-mail (invitations, "Forgot password?"): smtp://user:pass@host:port or smtps://….
   * Unset: invitation links are shown once to the inviting admin, and password reset by e-mail is off.
   */
  TRELLIS_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL')
    .optional(),
  /** The From address of those e-mails (required with TRELLIS_SMTP_URL). */
  TRELLIS_MAIL_FROM: z.string().trim().min(3).max(254).optional(),
  /** Export jobs (docs/exports.md): where finished files wait for download; web and worker share it. */
  TRELLIS_EXPORT_DIR: z.string().min(1).optional(),
  /** Exports of more rows than this run as jobs on the worker (the web app's Export menu). */
  TRELLIS_EXPORT_JOB_ROWS: z.coerce.number().int().min(0).max(100_000_000).default(100_000),
  /** How long a finished export file is kept for download, then deleted. */
  TRELLIS_EXPORT_KEEP: z
    .string()
    .regex(/^\d+(s|m|h)$/)
    .default('24h'),
  /** Dashboard PDFs (docs/exports.md): the Chromium binary the worker drives (as the browser tests). */
  TRELLIS_CHROMIUM: z.string().min(1).default('/usr/bin/chromium'),
  /** Chromium renders at once per worker process (each ~150 MB). */
  TRELLIS_PDF_POOL: z.coerce.number().int().min(1).max(16).default(1),
  /** A render outlasting this is killed (the job fails with PDF_RENDER_TIMEOUT). */
  TRELLIS_PDF_TIMEOUT: z
    .string()
    .regex(/^\d+(s|m)$/)
    .default('60s'),
  /** Where the worker's Chromium reaches the web app; default http://127.0.0.1:<PORT>. */
  TRELLIS_PDF_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Scheduled reports (docs/exports.md): address ranges (CIDRs, comma-separated) a user's webhook may
   * reach although they are loopback, private or link-local. Empty: only public addresses.
   */
  TRELLIS_WEBHOOK_ALLOW: z.string().max(4_000).default(''),
  /** A scheduled report's file at most (PDF or CSV, held in memory to attach or post). */
  TRELLIS_REPORT_MAX_BYTES: z.coerce.number().int().min(1_024).max(100_000_000).default(10_000_000),
  /** How often the worker looks for subscriptions whose tick has come. */
  TRELLIS_REPORT_POLL: z
    .string()
    .regex(/^\d+(ms|s|m)$/)
    .default('15s'),
});

export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  /** TRELLIS_PUBLIC_URL's origin (scheme://host[:port]): what Origin/Referer must match; else the Host header. */
  readonly publicOrigin: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  /** Which requests get an access-log line (TRELLIS_REQUEST_LOG, TRELLIS_REQUEST_LOG_SAMPLE). */
  readonly requestLog: RequestLogConfig;
  readonly bodyLimit: number;
  readonly shutdownGraceMs: number;
  /** On SIGTERM, serve this long as "draining" before closing (see TRELLIS_SHUTDOWN_DRAIN). */
  readonly shutdownDrainMs: number;
  /** listen() backlog (TRELLIS_LISTEN_BACKLOG). */
  readonly listenBacklog: number;
  /** The bound on concurrent argon2 work (see server/auth/password-work.ts). */
  readonly passwords: PasswordWorkConfig;
  /** Built web app, or undefined to serve the API only. */
  readonly webRoot: string | undefined;
  readonly cache: CacheConfig;
  readonly maxEventStreams: number;
  /** Open update streams per user and kind (TRELLIS_MAX_STREAMS_PER_USER). */
  readonly maxStreamsPerUser: number;
  /** Per-user token bucket on the data API (TRELLIS_DATA_RATE, TRELLIS_DATA_BURST); perSecond 0 = off. */
  readonly dataRateLimit: { readonly perSecond: number; readonly burst: number };
  /**
   * Host names (lower case, no port) requests may be addressed to; undefined = any (a public URL is
   * set and TRELLIS_ALLOWED_HOSTS is not, or it is `*`).
   */
  readonly allowedHosts: ReadonlySet<string> | undefined;
  readonly jobs: JobsConfig;
  readonly breaker: { readonly failureThreshold: number; readonly coolDownMs: number };
  /**
   * Where the metadata store is: PostgreSQL (TRELLIS_METADATA_URL), the SQLite file in TRELLIS_DATA_DIR,
   * or `project` — `<project>/.trellis/meta.sqlite`, resolved by the command that knows the project
   * (server/cli/metadata-location.ts).
   */
  readonly store: StoreLocation;
  readonly sessions: SessionConfig;
  /** DuckDB settings of pipeline runs' ingest connection. */
  readonly ingest: { readonly memoryLimit: string; readonly threads: number };
  /** Uploads: the folder of files waiting for preview and import (absolute). */
  readonly uploads: { readonly tempDir: string };
  /** Export jobs: the folder of finished files (absolute), the row threshold, how long files are kept. */
  readonly exports: { readonly dir: string; readonly jobRows: number; readonly keepMs: number };
  /** Dashboard PDFs: Chromium's path, renders at once, the kill timeout, where the web app is. */
  readonly pdf: PdfConfig;
  /** Outgoing e-mail, when TRELLIS_SMTP_URL is set (the URL may hold a password: never log it). */
  readonly mail: MailConfig | undefined;
  /** Scheduled reports: webhook ranges the operator opened, the file size cap, the due-tick poll. */
  readonly reports: { readonly webhookAllow: string; readonly maxBytes: number; readonly pollMs: number };
  /** Fastify's trustProxy: false, a hop count, or proxy addresses. */
  readonly trustProxy: boolean | number | string[];
  /**
   * A frozen snapshot of the environment, only for resolving `url_env` references of project
   * sources (connection URLs are secrets and live in the environment, never in project files).
   * Everything else reads its own typed field above.
   */
  readonly environment: Readonly<Record<string, string>>;
}

/** Outgoing e-mail (server/mail/mailer.ts). */
export interface PdfConfig {
  readonly chromium: string;
  readonly pool: number;
  readonly timeoutMs: number;
  /** undefined: the web app in this process if it listens, else http://127.0.0.1:<port>. */
  readonly baseUrl: string | undefined;
}

export interface MailConfig {
  /** smtp://user:pass@host:port or smtps://… (may hold a password: never log it). */
  readonly smtpUrl: string;
  readonly from: string;
  /** Where links in e-mails point: TRELLIS_PUBLIC_URL's origin (required with SMTP). */
  readonly publicOrigin: string;
}

export interface CacheConfig {
  /** Set: the Redis cache shared by instances; unset: memory. The URL may hold a password: never log it. */
  readonly redisUrl: string | undefined;
  readonly maxBytes: number;
  readonly maxEntryBytes: number;
  readonly namespace: string | undefined;
  readonly commandTimeoutMs: number;
}

export interface PasswordWorkConfig {
  readonly concurrency: number;
  readonly maxQueued: number;
  readonly maxWaitMs: number;
}

export interface JobsConfig {
  /** `store`: the metadata store's jobs table; `redis`: BullMQ on `redisUrl`. */
  readonly queue: 'store' | 'redis';
  readonly redisUrl: string | undefined;
  readonly concurrency: number;
  readonly shutdownGraceMs: number;
  readonly maxQueued: number;
  readonly jobTimeoutMs: number;
  readonly leaseMs: number;
}

/** The metadata store: the embedded SQLite file, or PostgreSQL shared by instances (URL may hold a password: never log it). */
export type StoreConfig =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

/** StoreConfig, or `project`: the SQLite file under the project folder's `.trellis/`. */
export type StoreLocation = StoreConfig | { readonly kind: 'project' };

export interface SessionConfig {
  readonly idleMs: number;
  readonly absoluteMs: number;
  /** Served over https: the cookie gets Secure and the __Host- prefix. */
  readonly secureCookie: boolean;
  readonly maxFailuresPerAccount: number;
  readonly maxFailuresPerIp: number;
  readonly failureWindowMs: number;
  /**
   * The key of the CSRF token HMAC. From TRELLIS_SESSION_SECRET, or random per process when unset
   * (`secretFromEnv` false): tests and tools may run so, `serve` refuses to unless in demo mode.
   */
  readonly secret: string;
  readonly secretFromEnv: boolean;
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
  const idleMs = parseDuration(e.TRELLIS_SESSION_IDLE);
  const absoluteMs = parseDuration(e.TRELLIS_SESSION_ABSOLUTE);
  const problems: string[] = [];
  try {
    parseAllowList(e.TRELLIS_WEBHOOK_ALLOW);
  } catch (err) {
    problems.push(`TRELLIS_WEBHOOK_ALLOW: ${(err as Error).message}`);
  }
  if (e.TRELLIS_QUEUE === 'redis' && !e.TRELLIS_REDIS_URL)
    problems.push('TRELLIS_QUEUE: redis needs TRELLIS_REDIS_URL (or use the default, store)');
  if (idleMs > absoluteMs)
    problems.push('TRELLIS_SESSION_IDLE: must not be longer than TRELLIS_SESSION_ABSOLUTE');
  const secretProblem = e.TRELLIS_SESSION_SECRET === undefined ? null : weakSecret(e.TRELLIS_SESSION_SECRET);
  if (secretProblem) problems.push(`TRELLIS_SESSION_SECRET: ${secretProblem}`);
  // Links in e-mails must point at the server's real address: built from a request's Host header, a
  // forged Host would send a victim's reset link to the attacker's site.
  if (e.TRELLIS_SMTP_URL && !e.TRELLIS_PUBLIC_URL)
    problems.push('TRELLIS_SMTP_URL: needs TRELLIS_PUBLIC_URL (links in e-mails are built from it)');
  if (e.TRELLIS_SMTP_URL && !e.TRELLIS_MAIL_FROM)
    problems.push('TRELLIS_SMTP_URL: needs TRELLIS_MAIL_FROM (the From address)');
  if (problems.length) throw new ConfigError(problems);
  return {
    env: e.NODE_ENV,
    publicOrigin: e.TRELLIS_PUBLIC_URL ? new URL(e.TRELLIS_PUBLIC_URL).origin : undefined,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    requestLog: { mode: e.TRELLIS_REQUEST_LOG, sample: e.TRELLIS_REQUEST_LOG_SAMPLE },
    bodyLimit: parseByteSize(e.TRELLIS_BODY_LIMIT),
    shutdownGraceMs: e.TRELLIS_SHUTDOWN_GRACE * 1000,
    shutdownDrainMs: e.TRELLIS_SHUTDOWN_DRAIN * 1000,
    listenBacklog: e.TRELLIS_LISTEN_BACKLOG,
    passwords: {
      // Half the pool leaves the other half to DuckDB and files. (Tying it to the cores instead, 1 on
      // the bench's pinned core, made sign-ins 4× slower and time out: docs/performance.md.)
      concurrency: e.TRELLIS_PASSWORD_CONCURRENCY ?? Math.max(1, Math.floor(e.UV_THREADPOOL_SIZE / 2)),
      maxQueued: e.TRELLIS_PASSWORD_QUEUE,
      // A sign-in still waiting after this is one its user has likely given up on.
      maxWaitMs: 10_000,
    },
    webRoot: e.TRELLIS_WEB_ROOT ? path.resolve(e.TRELLIS_WEB_ROOT) : path.join(repoRoot, 'dist', 'web'),
    cache: {
      redisUrl: e.TRELLIS_REDIS_URL,
      maxBytes: parseByteSize(e.TRELLIS_CACHE_MAX_BYTES),
      maxEntryBytes: parseByteSize(e.TRELLIS_CACHE_MAX_ENTRY_BYTES),
      namespace: e.TRELLIS_CACHE_NAMESPACE,
      commandTimeoutMs: parseDuration(e.TRELLIS_CACHE_COMMAND_TIMEOUT),
    },
    maxEventStreams: e.TRELLIS_MAX_EVENT_STREAMS,
    maxStreamsPerUser: e.TRELLIS_MAX_STREAMS_PER_USER,
    dataRateLimit: { perSecond: e.TRELLIS_DATA_RATE, burst: e.TRELLIS_DATA_BURST },
    allowedHosts: allowedHosts(e.TRELLIS_ALLOWED_HOSTS, e.HOST, e.TRELLIS_PUBLIC_URL),
    jobs: {
      queue: e.TRELLIS_QUEUE,
      redisUrl: e.TRELLIS_REDIS_URL,
      concurrency: e.TRELLIS_WORKER_CONCURRENCY,
      shutdownGraceMs: parseDuration(e.TRELLIS_WORKER_SHUTDOWN_GRACE),
      maxQueued: e.TRELLIS_QUEUE_MAX_JOBS,
      jobTimeoutMs: parseDuration(e.TRELLIS_JOB_TIMEOUT),
      leaseMs: Math.max(500, parseDuration(e.TRELLIS_WORKER_LEASE)),
    },
    breaker: {
      failureThreshold: e.TRELLIS_BREAKER_FAILURES,
      coolDownMs: parseDuration(e.TRELLIS_BREAKER_COOLDOWN),
    },
    store: e.TRELLIS_METADATA_URL
      ? { kind: 'postgres', url: e.TRELLIS_METADATA_URL }
      : e.TRELLIS_DATA_DIR
        ? { kind: 'sqlite', file: path.join(path.resolve(e.TRELLIS_DATA_DIR), 'meta.sqlite') }
        : { kind: 'project' },
    sessions: {
      idleMs,
      absoluteMs,
      secureCookie: e.TRELLIS_PUBLIC_URL?.startsWith('https://') ?? false,
      maxFailuresPerAccount: e.TRELLIS_LOGIN_MAX_FAILURES,
      maxFailuresPerIp: e.TRELLIS_LOGIN_MAX_FAILURES_PER_IP,
      failureWindowMs: parseDuration(e.TRELLIS_LOGIN_WINDOW),
      secret: e.TRELLIS_SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      secretFromEnv: e.TRELLIS_SESSION_SECRET !== undefined,
    },
    mail:
      e.TRELLIS_SMTP_URL && e.TRELLIS_MAIL_FROM && e.TRELLIS_PUBLIC_URL
        ? {
            smtpUrl: e.TRELLIS_SMTP_URL,
            from: e.TRELLIS_MAIL_FROM,
            publicOrigin: new URL(e.TRELLIS_PUBLIC_URL).origin,
          }
        : undefined,
    trustProxy: parseTrustProxy(e.TRELLIS_TRUST_PROXY),
    ingest: { memoryLimit: e.TRELLIS_INGEST_MEMORY, threads: e.TRELLIS_INGEST_THREADS },
    uploads: {
      tempDir: path.resolve(e.TRELLIS_UPLOAD_DIR ?? path.join(e.TRELLIS_DATA_DIR ?? '.trellis', 'uploads')),
    },
    exports: {
      dir: path.resolve(e.TRELLIS_EXPORT_DIR ?? path.join(e.TRELLIS_DATA_DIR ?? '.trellis', 'exports')),
      jobRows: e.TRELLIS_EXPORT_JOB_ROWS,
      keepMs: parseDuration(e.TRELLIS_EXPORT_KEEP),
    },
    reports: {
      webhookAllow: e.TRELLIS_WEBHOOK_ALLOW,
      maxBytes: e.TRELLIS_REPORT_MAX_BYTES,
      pollMs: parseDuration(e.TRELLIS_REPORT_POLL),
    },
    pdf: {
      chromium: e.TRELLIS_CHROMIUM,
      pool: e.TRELLIS_PDF_POOL,
      timeoutMs: parseDuration(e.TRELLIS_PDF_TIMEOUT),
      baseUrl: e.TRELLIS_PDF_BASE_URL?.replace(/\/$/, ''),
    },
    environment: snapshot(env),
  };
}

/** Values seen in examples and tutorials; a secret that is one of them (or repeats one) is no secret. */
const KNOWN_DEFAULTS = [
  'changeme',
  'secret',
  'password',
  'trellis',
  'default',
  'development',
  'yoursecret',
  'sessionsecret',
  'test',
  'example',
  'abc123',
  '123456',
  'x',
];

/** Why this secret is unacceptable, or null. */
export function weakSecret(secret: string): string | null {
  if (Buffer.byteLength(secret, 'utf8') < 32)
    return 'must be at least 32 bytes of random text (e.g. `openssl rand -base64 48`)';
  const letters = secret.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (
    KNOWN_DEFAULTS.some(
      (word) =>
        letters.length > 0 &&
        letters === word.repeat(Math.ceil(letters.length / word.length)).slice(0, letters.length),
    )
  )
    return 'is a well-known default; generate a random one (e.g. `openssl rand -base64 48`)';
  if (new Set(secret).size < 10)
    return 'repeats too few characters to be random (e.g. `openssl rand -base64 48`)';
  return null;
}

/** The Host names to answer for (see TRELLIS_ALLOWED_HOSTS), or undefined for any. */
function allowedHosts(
  configured: string | undefined,
  listenHost: string,
  publicUrl: string | undefined,
): ReadonlySet<string> | undefined {
  if (configured === '*' || (configured === undefined && publicUrl !== undefined)) return undefined;
  const hosts = new Set(['localhost', '127.0.0.1', '[::1]']);
  const add = (host: string) => {
    const name = hostName(host);
    if (name) hosts.add(name);
  };
  // A wildcard listen address names no host; a specific one is how clients reach the server.
  if (!['0.0.0.0', '::', '[::]'].includes(listenHost))
    add(listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost);
  if (publicUrl !== undefined) add(new URL(publicUrl).host);
  for (const host of configured?.split(',') ?? [])
    add(host.includes(':') && !host.startsWith('[') && host.split(':').length > 2 ? `[${host}]` : host);
  return hosts;
}

/**
 * The host name of a Host header value, lower case, without port or trailing dot (IPv6 in brackets),
 * or undefined when it is not one.
 */
export function hostName(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  const name = v.startsWith('[') ? v.slice(0, v.indexOf(']') + 1) : v.split(':')[0];
  if (!name || name === '[]') return undefined;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined) return false;
  return /^\d+$/.test(value) ? Number(value) : value.split(',');
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
