import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseByteSize, parseDuration } from '../units.js';
import type { PipelineFile, RequestDef } from './pipeline.schema.js';
import type { SourceConfig } from './project.schema.js';
import {
  API_USAGE_TABLE_NAME,
  ENRICH_STATUS_COLUMNS,
  type EnrichSpec,
  type LockSpec,
  type Pipeline,
  type PipelineTable,
  type RequestSpec,
} from './pipeline.types.js';
import { parseTemplate, placeholdersIn, urlTemplateProblem, type TemplatePart } from './request-template.js';
import type { Dataset } from './project.types.js';
import type { YamlSource } from './yaml-source.js';
import { inputSpecs } from './run-input-specs.js';

type Report = (file: string, line: number, message: string) => void;

/**
 * Cross-checks one validated pipeline file against the project (its target source, the datasets on
 * it, its tables, keys and transform module) and resolves it. Problems are reported with their line;
 * the result is undefined when there was any.
 */
export function buildPipeline(
  dir: string,
  id: string,
  src: YamlSource,
  data: PipelineFile,
  sources: ReadonlyMap<string, SourceConfig>,
  datasets: ReadonlyMap<string, Dataset>,
  report: Report,
): Pipeline | undefined {
  const file = src.file;
  let ok = true;
  const problem = (at: readonly (string | number)[], message: string) => {
    ok = false;
    report(file, src.lineOf(at), message);
  };

  const source = sources.get(data.target);
  const dataDir = path.join(dir, 'data');
  let targetFile = '';
  if (!source)
    problem(['target'], `unknown source "${data.target}" (declared: ${[...sources.keys()].join(', ')})`);
  else if (source.type !== 'duckdb')
    problem(['target'], `target "${data.target}" must be a duckdb source (pipelines write DuckDB files)`);
  else {
    targetFile = path.resolve(dir, source.path);
    if (!targetFile.startsWith(dataDir + path.sep))
      problem(['target'], `the file of source "${data.target}" (${source.path}) must lie in the data folder`);
    else if (!targetFile.endsWith('.duckdb'))
      problem(['target'], `the file of source "${data.target}" must end in .duckdb`);
  }

  const tables: PipelineTable[] = [];
  const tableEntries = Object.entries(data.tables);
  const first = tableEntries[0];
  for (const [name, t] of tableEntries) {
    if (name.startsWith('_trellis'))
      problem(['tables', name], `table names starting with _trellis are reserved`);
    if (data.tenant_column !== undefined && data.tenant_column in t.columns)
      problem(
        ['tables', name, 'columns', data.tenant_column],
        `"${data.tenant_column}" is the tenant_column: the pipeline fills it with the organisation; do not declare it`,
      );
    for (const [i, k] of t.key.entries())
      if (!(k in t.columns))
        problem(['tables', name, 'key', i], `key column "${k}" is not a declared column`);
    if (first && first[0] !== name) {
      const [firstName, firstDef] = first;
      if (t.key.length !== firstDef.key.length)
        problem(
          ['tables', name, 'key'],
          `every table's key names the item a row came from, so it has ${firstDef.key.length} column(s) like ${firstName}'s`,
        );
      else
        t.key.forEach((k, i) => {
          const a = t.columns[k];
          const b = firstDef.columns[firstDef.key[i] ?? ''];
          if (a && b && a !== b)
            problem(['tables', name, 'key', i], `key column "${k}" is ${a}, but ${firstName}'s is ${b}`);
        });
    }
    tables.push({
      name,
      key: t.key,
      columns: Object.entries(t.columns).map(([c, type]) => ({ name: c, type })),
    });
  }
  if (data.type === 'file' && tableEntries.length !== 1)
    problem(['tables'], 'a file pipeline writes one table (its files have that table’s columns)');

  if (data.map?.transform) {
    const modulePath = path.join(dir, data.map.transform.module);
    if (!existsSync(modulePath))
      problem(['map', 'transform', 'module'], `transform module ${data.map.transform.module} not found`);
  }
  for (const [i, r] of (data.map?.rows ?? []).entries()) {
    const t = data.tables[r.table];
    if (!t) {
      problem(['map', 'rows', i, 'table'], `unknown table "${r.table}" (declare it under tables)`);
      continue;
    }
    for (const column of Object.keys(r.fields))
      if (!(column in t.columns))
        problem(['map', 'rows', i, 'fields', column], `"${column}" is not a column of table ${r.table}`);
    for (const k of t.key)
      if (!(k in r.fields)) problem(['map', 'rows', i, 'fields'], `map the key column "${k}" of ${r.table}`);
  }
  if (data.incremental) {
    const w = data.incremental.watermark;
    const t = data.tables[w.table];
    if (!t) problem(['incremental', 'watermark', 'table'], `unknown table "${w.table}"`);
    else if (!(w.column in t.columns))
      problem(['incremental', 'watermark', 'column'], `"${w.column}" is not a column of table ${w.table}`);
  }
  const inputs = inputSpecs(data.inputs ?? {}, problem);
  const inputNames = new Set(inputs.map((i) => i.name));
  if (data.schedule !== undefined)
    for (const i of inputs)
      if (i.required && i.default === null)
        problem(['inputs', i.name], 'a scheduled run has nobody to ask: give a required input a default');
  const secrets = new Set<string>();
  const templates = (
    at: readonly (string | number)[],
    value: unknown,
    rowColumns: readonly string[] | null,
    launch = false,
  ) => {
    let parts: TemplatePart[];
    try {
      parts = typeof value === 'string' ? [...parseTemplate(value)] : placeholdersIn(value);
    } catch (err) {
      problem(at, (err as Error).message);
      return;
    }
    for (const part of parts) {
      if (part.kind === 'env') secrets.add(part.name);
      else if (part.kind === 'launch' && !launch)
        problem(
          at,
          `\${launch.${part.name}} is only available in the poll and fetch requests of an enrich step`,
        );
      else if (part.kind === 'row' && rowColumns === null)
        problem(at, `\${row.${part.name}} is only available in enrich requests`);
      else if (part.kind === 'row' && !rowColumns?.includes(part.name))
        problem(at, `\${row.${part.name}}: "${part.name}" is not among enrich.from.columns`);
      else if (part.kind === 'input' && !inputNames.has(part.name))
        problem(at, `\${input.${part.name}}: this pipeline declares no input "${part.name}" (under inputs:)`);
    }
  };
  for (const [name, value] of Object.entries(data.http?.headers ?? {}))
    templates(['http', 'headers', name], value, null);

  let enrich: EnrichSpec | undefined;
  const e = data.enrich;
  if (data.type === 'enrich' && e) {
    const result = tableEntries[0];
    if (tableEntries.length !== 1 || !result)
      problem(['tables'], 'an enrich pipeline writes one table: the results, keyed like its `from` table');
    else {
      const [resultName, resultDef] = result;
      for (const c of ENRICH_STATUS_COLUMNS)
        if (c.name in resultDef.columns)
          problem(
            ['tables', resultName, 'columns', c.name],
            `"${c.name}" is filled by the enrichment (${ENRICH_STATUS_COLUMNS.map((s) => s.name).join(', ')}); do not declare it`,
          );
      for (const k of resultDef.key)
        if (!e.from.columns.includes(k))
          problem(
            ['enrich', 'from', 'columns'],
            `read the key column "${k}" of ${resultName} from ${e.from.table ?? e.from.dataset}`,
          );
      for (const column of Object.keys(e.result))
        if (!(column in resultDef.columns))
          problem(['enrich', 'result', column], `"${column}" is not a column of table ${resultName}`);
      if (e.from.keys_input !== undefined) {
        const keysInput = inputs.find((i) => i.name === e.from.keys_input);
        if (keysInput?.type !== 'keys')
          problem(
            ['enrich', 'from', 'keys_input'],
            keysInput
              ? `input "${keysInput.name}" is a ${keysInput.type} input, not a list of keys (type: keys)`
              : `this pipeline declares no input "${e.from.keys_input}" (under inputs:)`,
          );
        if (resultDef.key.length !== 1)
          problem(['enrich', 'from', 'keys_input'], `keys_input needs a one-column key on ${resultName}`);
      }
      if (e.from.table === resultName)
        problem(['enrich', 'from', 'table'], 'the results go to another table than the rows read');
      if (resultName === API_USAGE_TABLE_NAME)
        problem(
          ['tables', resultName],
          `"${API_USAGE_TABLE_NAME}" is the usage table every enrichment writes`,
        );
      if (e.from.dataset !== undefined) {
        const d = datasets.get(e.from.dataset);
        if (!d) problem(['enrich', 'from', 'dataset'], `unknown dataset "${e.from.dataset}"`);
        else if (d.source !== data.target)
          problem(
            ['enrich', 'from', 'dataset'],
            `dataset "${d.id}" reads source "${d.source}"; an enrichment reads datasets on its target "${data.target}"`,
          );
        else
          for (const c of e.from.columns)
            if (!d.columns.has(c))
              problem(['enrich', 'from', 'columns'], `"${c}" is not a column of dataset "${d.id}"`);
      }
    }
    const checkRequest = (at: readonly string[], r: RequestDef, launch: boolean) => {
      const url = urlTemplateProblem(r.url);
      if (url) problem([...at, 'url'], url);
      else templates([...at, 'url'], r.url, e.from.columns, launch);
      for (const [name, value] of Object.entries(r.query))
        templates([...at, 'query', name], String(value), e.from.columns, launch);
      for (const [name, value] of Object.entries(r.headers))
        templates([...at, 'headers', name], value, e.from.columns, launch);
      if (r.body !== undefined) templates([...at, 'body'], r.body, e.from.columns, launch);
    };
    checkRequest(['enrich', 'request'], e.request, false);
    if (e.poll) checkRequest(['enrich', 'poll', 'request'], e.poll.request, true);
    if (e.fetch) checkRequest(['enrich', 'fetch', 'request'], e.fetch.request, true);
    if (e.fetch && !e.poll)
      problem(['enrich', 'fetch'], '`fetch:` follows `poll:` (launch, poll, then fetch)');
    if (e.poll && parseDuration(e.poll.max_interval) < parseDuration(e.poll.interval))
      problem(['enrich', 'poll', 'max_interval'], 'max_interval is shorter than interval');
    const r = e.request;
    enrich = {
      from: {
        table: e.from.table ?? e.from.dataset ?? '',
        dataset: e.from.dataset ?? null,
        columns: e.from.columns,
        ...(e.from.keys_input !== undefined ? { keysInput: e.from.keys_input } : {}),
      },
      rows: e.rows,
      batch: e.batch,
      concurrency: e.concurrency,
      request: requestSpec(r),
      poll: e.poll
        ? {
            request: requestSpec(e.poll.request),
            status: e.poll.status,
            done: e.poll.done,
            failed: e.poll.failed,
            intervalMs: parseDuration(e.poll.interval),
            maxIntervalMs: parseDuration(e.poll.max_interval),
            timeoutMs: parseDuration(e.poll.timeout),
          }
        : null,
      fetch: e.fetch ? requestSpec(e.fetch.request) : null,
      rateLimit: e.rate_limit
        ? {
            name: e.rate_limit.name,
            calls: e.rate_limit.calls,
            perMs: parseDuration(e.rate_limit.per),
            burst: e.rate_limit.burst,
          }
        : null,
      timeoutMs: parseDuration(e.timeout),
      retries: e.retries,
      backoffMs: parseDuration(e.backoff),
      maxBackoffMs: parseDuration(e.max_backoff),
      circuit: { failures: e.circuit.failures, coolDownMs: parseDuration(e.circuit.cool_down) },
      result: e.result,
      maxResponseBytes: parseByteSize(e.max_response_bytes),
      costPerCall: e.cost_per_call,
    };
  }
  const lock: LockSpec | undefined =
    data.lock === undefined
      ? undefined
      : typeof data.lock === 'string'
        ? { name: data.lock, wait: 'queue', ttlMs: 30_000, maxWaitMs: 3_600_000 }
        : {
            name: data.lock.name,
            wait: data.lock.wait,
            ttlMs: parseDuration(data.lock.ttl),
            maxWaitMs: parseDuration(data.lock.max_wait),
          };
  if (lock && lock.ttlMs < 1_000)
    problem(['lock', 'ttl'], 'a lock ttl is at least 1s (it is renewed every third of it)');
  if (!ok || !targetFile) return undefined;
  // The result table also records what became of each row's call.
  if (enrich && tables[0])
    tables[0] = { ...tables[0], columns: [...tables[0].columns, ...ENRICH_STATUS_COLUMNS] };

  const onTarget = [...datasets.values()].filter((d) => d.source === data.target).map((d) => d.id);
  const h = data.http;
  return {
    id,
    file,
    title: data.title,
    ...(data.description ? { description: data.description } : {}),
    organisation: data.organisation,
    schedule: data.schedule ?? null,
    type: data.type,
    target: {
      source: data.target,
      file: targetFile,
      ingestFile: targetFile.replace(/\.duckdb$/, '.ingest.duckdb'),
      dataDir,
      serverUrlEnv: source?.type === 'duckdb' ? (source.server_url_env ?? null) : null,
    },
    tenantColumn: data.tenant_column ?? null,
    tables,
    ...(h
      ? {
          http: {
            url: h.url,
            urlEnv: h.url_env ?? null,
            params: Object.fromEntries(Object.entries(h.params).map(([k, v]) => [k, String(v)])),
            headers: h.headers,
            pagination: h.pagination,
            items: h.items,
            total: h.total ?? null,
            rateLimit: h.rate_limit ?? null,
            concurrency: h.concurrency,
            timeoutMs: parseDuration(h.timeout),
            retries: h.retries,
            backoffMs: parseDuration(h.backoff),
            maxBackoffMs: parseDuration(h.max_backoff),
            maxPages: h.max_pages,
            maxPageBytes: parseByteSize(h.max_page_bytes),
          },
        }
      : {}),
    ...(data.file
      ? { fileImport: { path: data.file.path, format: data.file.format, batchRows: data.file.batch_rows } }
      : {}),
    ...(data.map?.transform
      ? {
          map: {
            kind: 'transform',
            module: data.map.transform.module,
            exportName: data.map.transform.export,
          },
        }
      : data.map?.rows
        ? {
            map: {
              kind: 'rows',
              rows: data.map.rows.map((r) => ({
                table: r.table,
                forEach: r.for_each ?? null,
                fields: r.fields,
              })),
            },
          }
        : {}),
    ...(data.incremental
      ? {
          incremental: {
            table: data.incremental.watermark.table,
            column: data.incremental.watermark.column,
            param: data.incremental.param,
            value: data.incremental.value,
          },
        }
      : {}),
    ...(enrich ? { enrich } : {}),
    ...(lock ? { lock } : {}),
    inputs,
    secrets: [...secrets].sort(),
    publishEvery: { pages: data.publish_every.pages ?? null, seconds: data.publish_every.seconds ?? null },
    maxRows: data.max_rows,
    datasets: onTarget,
  };
}

function requestSpec(r: RequestDef): RequestSpec {
  return {
    method: r.method,
    url: r.url,
    urlEnv: r.url_env ?? null,
    query: Object.fromEntries(Object.entries(r.query).map(([k, v]) => [k, String(v)])),
    headers: r.headers,
    body: r.body,
  };
}
