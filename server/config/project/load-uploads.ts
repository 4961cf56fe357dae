import path from 'node:path';
import { parseByteSize } from '../units.js';
import type { Pipeline } from './pipeline.types.js';
import type { SourceConfig } from './project.schema.js';
import type { Dataset } from './project.types.js';
import type { UploadFile } from './upload.schema.js';
import type { UploadColumn, UploadTarget } from './upload.types.js';
import type { YamlSource } from './yaml-source.js';

type Report = (file: string, line: number, message: string) => void;

const NUMERIC = new Set(['INTEGER', 'BIGINT', 'DOUBLE']);
const TEMPORAL = new Set(['DATE', 'TIMESTAMP']);

/**
 * Cross-checks one validated upload file against the project (its target source, the pipelines and
 * other uploads writing tables there, its columns, key and rules) and resolves it. Problems are
 * reported with their line; the result is undefined when there was any.
 */
export function buildUpload(
  dir: string,
  id: string,
  src: YamlSource,
  data: UploadFile,
  sources: ReadonlyMap<string, SourceConfig>,
  datasets: ReadonlyMap<string, Dataset>,
  pipelines: ReadonlyMap<string, Pipeline>,
  earlier: ReadonlyMap<string, UploadTarget>,
  report: Report,
): UploadTarget | undefined {
  let ok = true;
  const problem = (at: readonly (string | number)[], message: string) => {
    ok = false;
    report(src.file, src.lineOf(at), message);
  };

  const source = sources.get(data.target);
  if (!source)
    problem(['target'], `unknown source "${data.target}" (declared: ${[...sources.keys()].join(', ')})`);
  else if (source.type === 'duckdb') {
    const file = path.resolve(dir, source.path);
    if (!file.startsWith(path.join(dir, 'data') + path.sep) || !file.endsWith('.duckdb'))
      problem(['target'], `the file of source "${data.target}" must be a .duckdb file in the data folder`);
  }

  if (data.table.startsWith('_trellis'))
    problem(['table'], 'table names starting with _trellis are reserved');
  for (const p of pipelines.values())
    if (p.target.source === data.target && p.tables.some((t) => t.name === data.table))
      problem(
        ['table'],
        `table "${data.table}" is written by pipeline ${p.id} (${p.file}); give the upload its own`,
      );
  for (const u of earlier.values())
    if (u.source === data.target && u.table === data.table)
      problem(['table'], `table "${data.table}" is already the target of upload ${u.id} (${u.file})`);

  if (data.tenant_column in data.columns)
    problem(
      ['columns', data.tenant_column],
      `"${data.tenant_column}" is the tenant_column: Trellis fills it with the organisation; do not declare it`,
    );
  if (Object.keys(data.columns).length > data.limits.columns)
    problem(
      ['limits', 'columns'],
      `${Object.keys(data.columns).length} columns are declared, more than limits.columns`,
    );
  for (const [i, k] of data.key.entries())
    if (!(k in data.columns)) problem(['key', i], `key column "${k}" is not a declared column`);
  if (new Set(data.key).size !== data.key.length) problem(['key'], 'a key column is named twice');

  const headers = new Map<string, string>();
  const columns: UploadColumn[] = [];
  for (const [name, c] of Object.entries(data.columns)) {
    const at = ['columns', name];
    const header = (c.header ?? name).trim();
    const folded = header.toLowerCase();
    const other = headers.get(folded);
    if (other !== undefined) problem([...at], `header "${header}" is also the header of column ${other}`);
    headers.set(folded, name);
    if (c.pattern !== undefined) {
      try {
        new RegExp(c.pattern, 'u');
      } catch (err) {
        problem([...at, 'pattern'], `pattern is not a valid regular expression: ${(err as Error).message}`);
      }
    }
    if (c.max_length !== undefined && c.type !== 'VARCHAR')
      problem([...at, 'max_length'], 'max_length applies to VARCHAR columns');
    for (const bound of ['min', 'max'] as const) {
      const v = c[bound];
      if (v === undefined) continue;
      if (NUMERIC.has(c.type)) {
        if (typeof v !== 'number') problem([...at, bound], `${bound} of a ${c.type} column is a number`);
      } else if (TEMPORAL.has(c.type)) {
        if (typeof v !== 'string' || Number.isNaN(Date.parse(v)))
          problem([...at, bound], `${bound} of a ${c.type} column is a date such as 2024-01-31`);
      } else problem([...at, bound], `${bound} applies to numeric and date columns`);
    }
    if (typeof c.min === typeof c.max && c.min !== undefined && c.max !== undefined && c.min > c.max)
      problem([...at, 'min'], `min (${c.min}) is above max (${c.max})`);
    columns.push({
      name,
      header,
      type: c.type,
      required: c.required || data.key.includes(name),
      allowed: c.allowed ? c.allowed.map((a) => String(a)) : null,
      min: c.min ?? null,
      max: c.max ?? null,
      pattern: c.pattern ?? null,
      maxLength: c.max_length ?? null,
    });
  }

  const bytes = parseByteSize(data.limits.bytes);
  const cellBytes = parseByteSize(data.limits.cell_bytes);
  if (cellBytes > bytes)
    problem(['limits', 'cell_bytes'], 'cell_bytes is larger than the file limit (bytes)');
  if (!ok || !source) return undefined;

  return {
    id,
    file: src.file,
    title: data.title,
    ...(data.description ? { description: data.description } : {}),
    role: data.role,
    source: data.target,
    sourceType: source.type,
    table: data.table,
    tenantColumn: data.tenant_column,
    columns,
    key: data.key,
    mode: data.mode,
    formats: [...new Set(data.formats)],
    limits: { bytes, rows: data.limits.rows, columns: data.limits.columns, cellBytes },
    extraColumns: data.extra_columns,
    invalidRows: { action: data.invalid_rows.action, maxShare: data.invalid_rows.max_share },
    keepVersions: data.keep_versions,
    profile: { exactRows: data.profile.exact_rows },
    datasets: [...datasets.values()].filter((d) => d.source === data.target).map((d) => d.id),
  };
}
