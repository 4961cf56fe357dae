import { z } from 'zod';
import { isIsoDate, RUN_INPUT_LIMITS } from '../../../contract/run-inputs.js';
import { duration, IDENTIFIER } from './project.schema.js';

/**
 * `pipelines/*.yaml`: what a pipeline fetches (an HTTP API or files in the data folder), how it maps
 * items to rows, and which tables of which DuckDB file it writes. The reference for
 * docs/pipelines.md. Table and column names written here reach SQL as identifiers, so they are held
 * to the same strict pattern as the rest of the project files.
 */

const identifier = z
  .string()
  .regex(IDENTIFIER, 'must be a plain identifier (letters, digits, _; not starting with a digit)');

/** Column types a pipeline can write (DuckDB names). */
export const PIPELINE_COLUMN_TYPES = [
  'VARCHAR',
  'INTEGER',
  'BIGINT',
  'DOUBLE',
  'BOOLEAN',
  'DATE',
  'TIMESTAMP',
] as const;
export type PipelineColumnType = (typeof PIPELINE_COLUMN_TYPES)[number];

const organisationSlug = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/,
    'must be an organisation slug (lower-case letters, digits, dashes)',
  );

const CRON_FIELDS: readonly { name: string; min: number; max: number }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
];

/** Why a 5-field cron expression (numbers, `*`, ranges, lists, steps) is not valid, or null. */
export function cronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5)
    return `a cron expression has 5 fields (minute hour day month weekday), got ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    const { name, min, max } = CRON_FIELDS[i] as (typeof CRON_FIELDS)[number];
    for (const part of (field as string).split(',')) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) return `${name}: "${part}" is not a number, range, list or step`;
      const [, , from, to, step] = m;
      for (const n of [from, to]) {
        if (n !== undefined && (Number(n) < min || Number(n) > max))
          return `${name}: ${n} is outside ${min}–${max}`;
      }
      if (from !== undefined && to !== undefined && Number(from) > Number(to))
        return `${name}: the range ${from}-${to} is reversed`;
      if (step !== undefined && Number(step) < 1) return `${name}: a step must be at least 1`;
    }
  }
  return null;
}

const cron = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A dot path into a JSON value: `protocolSection.identificationModule.nctId`; `$.` reads the item root. */
const jsonPath = z
  .string()
  .regex(/^(\$\.)?[A-Za-z0-9_@-]+(\.[A-Za-z0-9_@-]+)*$/, 'expected a dot path such as data.items or $.id');

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be the name of an environment variable');

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'must be an HTTP header name');

const tableDef = z
  .object({
    /**
     * The columns that identify the item a row came from. A page replaces every row whose key it
     * holds (so an item that lost child rows loses them here too); every table of a pipeline has a
     * key of the same length, in the same order (the item's identity).
     */
    key: z.array(identifier).min(1).max(4),
    columns: z
      .record(identifier, z.enum(PIPELINE_COLUMN_TYPES))
      .refine((c) => Object.keys(c).length > 0, 'declare at least one column'),
  })
  .strict();
export type PipelineTableDef = z.infer<typeof tableDef>;

const declarativeRows = z
  .object({
    table: identifier,
    /** One row per element of this array (a path in the item); absent: one row per item. */
    for_each: jsonPath.optional(),
    /** column → path (in the element with `for_each`, `$.` for the item itself). */
    fields: z
      .record(identifier, jsonPath)
      .refine((f) => Object.keys(f).length > 0, 'map at least one column'),
  })
  .strict();

const mapDef = z
  .object({
    /** A TypeScript/JavaScript module under transforms/ whose export maps one item to rows. */
    transform: z
      .object({
        module: z
          .string()
          .regex(/^transforms\/[A-Za-z0-9_\-/]+\.(ts|js|mjs)$/, 'expected a path like transforms/name.ts'),
        export: z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, 'must be an export name'),
      })
      .strict()
      .optional(),
    rows: z.array(declarativeRows).min(1).optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (!m.transform === !m.rows)
      ctx.addIssue({ code: 'custom', message: 'map needs exactly one of `transform` or `rows`' });
  });

const pagination = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('token'),
      /** Query parameter that carries the token. */
      param: z.string().min(1),
      /** Path of the next token in the response body; absent or empty = last page. */
      next: jsonPath,
    })
    .strict(),
  z
    .object({
      type: z.literal('offset'),
      param: z.string().min(1),
      limit_param: z.string().min(1),
      limit: z.number().int().min(1).max(10_000),
    })
    .strict(),
  z
    .object({
      type: z.literal('page'),
      param: z.string().min(1),
      /** Number of the first page. */
      start: z.number().int().min(0).default(1),
      size_param: z.string().min(1),
      size: z.number().int().min(1).max(10_000),
    })
    .strict(),
  /** The response's `Link: <…>; rel="next"` header (same origin as the base URL only). */
  z.object({ type: z.literal('link') }).strict(),
  /** A single response. */
  z.object({ type: z.literal('none') }).strict(),
]);
export type PaginationDef = z.infer<typeof pagination>;

const httpDef = z
  .object({
    /** The API address (default); `url_env` names a variable that overrides it. */
    url: z.url({ protocol: /^https?$/ }),
    url_env: envName.optional(),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Request headers; values may hold `${env:NAME}` (secrets, resolved at run time, never logged). */
    headers: z.record(headerName, z.string().max(4096)).default({}),
    pagination,
    /** Path of the array of items in each response (`studies`); `$` when the body is the array. */
    items: z.union([z.literal('$'), jsonPath]),
    /** Path of the total item count in the response, when the API gives one (progress and ETA). */
    total: jsonPath.optional(),
    /** Requests per second across the run; absent: no limit. */
    rate_limit: z.number().positive().max(1000).optional(),
    /** Pages fetched at once (offset and page pagination only; tokens and links are sequential). */
    concurrency: z.number().int().min(1).max(16).default(1),
    timeout: duration.default('30s'),
    /** Attempts after the first, on network errors, timeouts, 5xx, 429 and unreadable bodies. */
    retries: z.number().int().min(0).max(20).default(5),
    /** First retry delay; doubles per attempt, with full jitter, up to `max_backoff`. */
    backoff: duration.default('1s'),
    /** Longest wait before a retry, `Retry-After` included. */
    max_backoff: duration.default('60s'),
    max_pages: z.number().int().min(1).max(1_000_000).default(10_000),
    /** Largest response body read. */
    max_page_bytes: z
      .union([z.number().int().positive(), z.string().regex(/^\d+(KB|MB)$/, 'expected a size such as 64MB')])
      .default('64MB'),
  })
  .strict();
export type HttpDef = z.infer<typeof httpDef>;

/**
 * One API call per row of an enrichment pipeline. The address (scheme, host, path) comes from this
 * file or `url_env`; `${row.<column>}`, `${input.<name>}` and `${env:NAME}` templates only fill values:
 * query parameters, whole path segments (encoded), header values and JSON body values.
 */
const requestDef = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    url: z.url({ protocol: /^https?$/ }),
    url_env: envName.optional(),
    query: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).default({}),
    headers: z.record(headerName, z.string().max(4096)).default({}),
    /** A JSON value; strings that are exactly one template keep the value's type (a number stays a number). */
    body: z.unknown().optional(),
  })
  .strict();
export type RequestDef = z.infer<typeof requestDef>;

const rateLimitDef = z
  .object({
    /** Every run, pipeline, worker and instance naming the same limit shares one token bucket. */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be a name such as scoring-api'),
    /** `calls` per `per` (e.g. 60 per 1m). */
    calls: z.number().int().min(1).max(1_000_000),
    per: duration.default('1m'),
    /** Calls that may go at once after a quiet spell (default 1: calls spread evenly). */
    burst: z.number().int().min(1).max(10_000).default(1),
  })
  .strict();

/**
 * Launch-then-poll (an external job such as a PhantomBuster agent): `request` launches it; `poll.request`
 * asks for its status (`${launch.<field>}` reads the launch answer) until the value at `status` is one
 * of `done` (or `failed`: the row fails) or `timeout` passes; waits grow from `interval` to
 * `max_interval` with the server's one backoff; then `fetch.request` (absent: the last poll answer)
 * gives the body `result:` reads.
 */
const pollDef = z
  .object({
    request: requestDef,
    status: jsonPath,
    done: z.array(z.string().min(1).max(100)).min(1).max(20),
    failed: z.array(z.string().min(1).max(100)).max(20).default([]),
    interval: duration.default('5s'),
    max_interval: duration.default('60s'),
    timeout: duration.default('30m'),
  })
  .strict();

const enrichDef = z
  .object({
    /**
     * The rows enriched: a table of the target, or a dataset on the target's source (its table or
     * SQL, scoped to the pipeline's organisation); the key columns are the result table's.
     */
    from: z
      .object({
        table: identifier.optional(),
        dataset: identifier.optional(),
        columns: z.array(identifier).min(1).max(64),
        /**
         * A `keys` input: when a run gives it, only the rows with those keys are taken (a dashboard
         * table's selection handed to an action widget); left out, every row `rows` selects.
         */
        keys_input: identifier.optional(),
      })
      .strict()
      .refine((f) => (f.table === undefined) !== (f.dataset === undefined), {
        message: 'name either a table or a dataset to read the rows from',
      }),
    /** Which rows a run takes: `pending` (no result yet), `failed` (failed before), `all`. */
    rows: z.enum(['pending', 'failed', 'all']).default('pending'),
    /** Rows read, called and written (one transaction with its checkpoint) at a time. */
    batch: z.number().int().min(1).max(10_000).default(100),
    /** Calls in flight at once within a run. */
    concurrency: z.number().int().min(1).max(32).default(4),
    request: requestDef,
    /** Launch-then-poll: poll the launched job until done, then fetch its result. */
    poll: pollDef.optional(),
    fetch: z.object({ request: requestDef }).strict().optional(),
    rate_limit: rateLimitDef.optional(),
    timeout: duration.default('30s'),
    retries: z.number().int().min(0).max(20).default(5),
    backoff: duration.default('1s'),
    max_backoff: duration.default('60s'),
    /** Consecutive failed calls that open the resource's circuit, and how long it stays open. */
    circuit: z
      .object({ failures: z.number().int().min(1).max(1000).default(10), cool_down: duration.default('30s') })
      .strict()
      .default({ failures: 10, cool_down: '30s' }),
    /** Result column → path in the response body. */
    result: z
      .record(identifier, jsonPath)
      .refine((r) => Object.keys(r).length > 0, 'map at least one result column'),
    max_response_bytes: z
      .union([z.number().int().positive(), z.string().regex(/^\d+(KB|MB)$/, 'expected a size such as 1MB')])
      .default('1MB'),
    /** Money per call (for the usage figures), in any currency the project uses. */
    cost_per_call: z.number().min(0).default(0),
  })
  .strict();
export type EnrichDef = z.infer<typeof enrichDef>;

/** `lock: name` or `lock: { name, wait, ttl }`: at most one run holds the lock, across instances. */
const lockDef = z.union([
  z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be a lock name such as phantom-agent'),
  z
    .object({
      name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be a lock name such as phantom-agent'),
      /** `queue`: wait in line (position shown); `fail`: fail at once when held. */
      wait: z.enum(['queue', 'fail']).default('queue'),
      /** A holder that stops renewing (killed) loses the lock after this. */
      ttl: duration.default('30s'),
      /** The longest a run waits in line before failing. */
      max_wait: duration.default('1h'),
    })
    .strict(),
]);

/** `inputs: { <name>: { type, label, hint, required, … } }`: what a run asks for (docs/pipelines.md#inputs). */
const inputCommon = {
  label: z.string().min(1).max(100).optional(),
  hint: z.string().max(300).optional(),
  required: z.boolean().default(false),
};
const inputDef = z.discriminatedUnion('type', [
  z
    .object({
      ...inputCommon,
      type: z.literal('text'),
      max_length: z.number().int().min(1).max(RUN_INPUT_LIMITS.textLength).default(200),
      /** A regular expression the whole value must match. */
      pattern: z
        .string()
        .min(1)
        .max(200)
        .refine((p) => {
          try {
            new RegExp(p, 'u');
            return true;
          } catch {
            return false;
          }
        }, 'not a valid regular expression')
        .optional(),
      default: z.string().max(RUN_INPUT_LIMITS.textLength).optional(),
    })
    .strict(),
  z
    .object({
      ...inputCommon,
      type: z.literal('number'),
      min: z.number().optional(),
      max: z.number().optional(),
      integer: z.boolean().default(false),
      default: z.number().optional(),
    })
    .strict(),
  z
    .object({
      ...inputCommon,
      type: z.literal('enum'),
      values: z.array(z.string().min(1).max(200)).min(1).max(RUN_INPUT_LIMITS.enumValues),
      default: z.string().optional(),
    })
    .strict(),
  z
    .object({
      ...inputCommon,
      type: z.literal('date'),
      min: z.string().refine(isIsoDate, 'expected YYYY-MM-DD').optional(),
      max: z.string().refine(isIsoDate, 'expected YYYY-MM-DD').optional(),
      default: z.string().refine(isIsoDate, 'expected YYYY-MM-DD').optional(),
    })
    .strict(),
  z
    .object({
      ...inputCommon,
      type: z.literal('keys'),
      max_count: z.number().int().min(1).max(RUN_INPUT_LIMITS.keys).default(100),
      max_length: z.number().int().min(1).max(RUN_INPUT_LIMITS.keyLength).default(100),
    })
    .strict(),
]);
export type InputDef = z.infer<typeof inputDef>;

const fileDef = z
  .object({
    /** Glob of files under the data folder, e.g. `imports/*.csv` (read in name order). */
    path: z
      .string()
      .regex(/^[A-Za-z0-9_\-./*?[\]{}]+$/, 'expected a relative path or glob such as imports/*.csv'),
    format: z.enum(['csv', 'parquet', 'json']),
    /** Rows read per transaction (one checkpoint each). */
    batch_rows: z.number().int().min(100).max(1_000_000).default(50_000),
  })
  .strict();
export type FileDef = z.infer<typeof fileDef>;

const incrementalDef = z
  .object({
    /** After a successful run, the largest value of this column (the organisation's rows) is stored. */
    watermark: z.object({ table: identifier, column: identifier }).strict(),
    /** The query parameter set on the next run, `{watermark}` replaced by the stored value. */
    param: z.string().min(1),
    value: z.string().includes('{watermark}', { message: 'must contain {watermark}' }),
  })
  .strict();

export const pipelineFile = z
  .object({
    title: z.string().min(1),
    description: z.string().optional(),
    /** The organisation whose rows these are, and whose editors and admins may run it. */
    organisation: organisationSlug,
    /** Cron (5 fields, UTC); absent: runs only on demand. */
    schedule: cron.optional(),
    type: z.enum(['http', 'file', 'enrich']),
    /** The DuckDB source of trellis.yaml written (its file must lie in the data folder). */
    target: identifier,
    /** A string column that gets the organisation's slug in every row (and scopes keys). */
    tenant_column: identifier.optional(),
    tables: z
      .record(identifier, tableDef)
      .refine((t) => Object.keys(t).length > 0, 'declare at least one table'),
    http: httpDef.optional(),
    file: fileDef.optional(),
    enrich: enrichDef.optional(),
    lock: lockDef.optional(),
    inputs: z
      .record(identifier, inputDef)
      .refine(
        (i) => Object.keys(i).length <= RUN_INPUT_LIMITS.inputs,
        `at most ${RUN_INPUT_LIMITS.inputs} inputs`,
      )
      .optional(),
    map: mapDef.optional(),
    incremental: incrementalDef.optional(),
    /** Also publish (make visible to dashboards) during long runs, after this many pages or seconds. */
    publish_every: z
      .object({ pages: z.number().int().min(1).optional(), seconds: z.number().int().min(1).optional() })
      .strict()
      .default({ pages: 100, seconds: 300 }),
    max_rows: z.number().int().min(1).max(1_000_000_000).default(50_000_000),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type !== 'enrich' && p.enrich)
      ctx.addIssue({ code: 'custom', path: ['enrich'], message: '`enrich:` is for enrich pipelines' });
    if (p.type === 'enrich') {
      if (!p.enrich)
        ctx.addIssue({ code: 'custom', path: ['enrich'], message: 'an enrich pipeline needs `enrich:`' });
      for (const k of ['http', 'file', 'map', 'incremental'] as const)
        if (p[k])
          ctx.addIssue({ code: 'custom', path: [k], message: `\`${k}:\` is not for enrich pipelines` });
    } else if (p.type === 'http') {
      if (!p.http)
        ctx.addIssue({ code: 'custom', path: ['http'], message: 'an http pipeline needs `http:`' });
      if (!p.map) ctx.addIssue({ code: 'custom', path: ['map'], message: 'an http pipeline needs `map:`' });
      if (p.file) ctx.addIssue({ code: 'custom', path: ['file'], message: '`file:` is for file pipelines' });
    } else {
      if (!p.file) ctx.addIssue({ code: 'custom', path: ['file'], message: 'a file pipeline needs `file:`' });
      if (p.http) ctx.addIssue({ code: 'custom', path: ['http'], message: '`http:` is for http pipelines' });
      if (p.map)
        ctx.addIssue({
          code: 'custom',
          path: ['map'],
          message: 'file pipelines read columns by name; drop `map:`',
        });
      if (p.incremental)
        ctx.addIssue({
          code: 'custom',
          path: ['incremental'],
          message: '`incremental:` is for http pipelines',
        });
    }
    if (p.http && p.http.concurrency > 1 && !['offset', 'page'].includes(p.http.pagination.type))
      ctx.addIssue({
        code: 'custom',
        path: ['http', 'concurrency'],
        message: `pages of ${p.http.pagination.type} pagination come one after another; concurrency needs offset or page`,
      });
  });
export type PipelineFile = z.infer<typeof pipelineFile>;
