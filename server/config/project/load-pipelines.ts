import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseByteSize, parseDuration } from '../units.js';
import type { PipelineFile } from './pipeline.schema.js';
import type { SourceConfig } from './project.schema.js';
import type { Pipeline, PipelineTable } from './pipeline.types.js';
import type { Dataset } from './project.types.js';
import type { YamlSource } from './yaml-source.js';

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
  if (!ok || !targetFile) return undefined;

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
    },
    tenantColumn: data.tenant_column ?? null,
    tables,
    ...(h
      ? {
          http: {
            url: h.url,
            urlEnv: h.url_env ?? null,
            params: Object.fromEntries(Object.entries(h.params).map(([k, v]) => [k, String(v)])),
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
    publishEvery: { pages: data.publish_every.pages ?? null, seconds: data.publish_every.seconds ?? null },
    maxRows: data.max_rows,
    datasets: onTarget,
  };
}
