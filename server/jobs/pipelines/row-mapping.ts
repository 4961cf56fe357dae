import type { DeclarativeRows, Pipeline, PipelineTable } from '../../config/project/pipeline.types.js';
import type { PipelineColumnType } from '../../config/project/pipeline.schema.js';

/**
 * One item of a page (a JSON value) → rows of the pipeline's tables, each cell coerced to its
 * column's type. Mapping is either declarative (field paths) or a transform module's function;
 * either way the item's identity is its key (the key columns of its first row), and every row it
 * produces must carry that same key, so a later version of the item replaces all of them.
 */

export type Cell = string | number | boolean | null;
export type Row = Cell[];

export type MappedItem =
  | { readonly ok: true; readonly key: readonly Cell[]; readonly rows: ReadonlyMap<string, Row[]> }
  | { readonly ok: false; readonly reason: string };

export type ItemMapper = (item: unknown) => MappedItem;

/** What a transform module's function returns for one item (examples/clinical-trials/transforms). */
export type TransformResult =
  | { ok: true; tables: Readonly<Record<string, readonly Readonly<Record<string, unknown>>[]>> }
  | { ok: false; problem: { message: string } };
export type TransformFunction = (item: unknown) => TransformResult;

/** A transform wrote rows the pipeline file does not declare, or broke the key rule: a bug to fix, not data. */
export class MappingError extends Error {}

/** `a.b.c` in a JSON value; `$` is the value itself; `$.x` reads `root` instead of `value`. */
export function readPath(value: unknown, dotPath: string, root: unknown = value): unknown {
  if (dotPath === '$') return value;
  let node: unknown = value;
  let p = dotPath;
  if (p.startsWith('$.')) {
    node = root;
    p = p.slice(2);
  }
  for (const part of p.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

const INT32 = 2_147_483_647;
const DATE_RE = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/;
const TIMESTAMP_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}:?\d{2})?$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/**
 * A JSON value → a cell of the column type, or null when it does not fit (never a guess): numbers in
 * numeric strings are read, `YYYY-MM` dates are the first of the month, timestamps are kept in UTC.
 */
export function coerce(value: unknown, type: PipelineColumnType): Cell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'VARCHAR':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return null;
    case 'INTEGER':
    case 'BIGINT': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)
            ? Number(value)
            : NaN;
      if (!Number.isSafeInteger(n)) return null;
      return type === 'INTEGER' && Math.abs(n) > INT32 ? null : n;
    }
    case 'DOUBLE': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : NaN;
      return Number.isFinite(n) ? n : null;
    }
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return null;
    case 'DATE': {
      if (typeof value !== 'string') return null;
      const m = DATE_RE.exec(value.trim());
      if (!m) return null;
      const [, y, mo, d] = m;
      if (!validDate(Number(y), Number(mo), Number(d ?? '1'))) return null;
      return `${y}-${mo}-${d ?? '01'}`;
    }
    case 'TIMESTAMP': {
      if (typeof value !== 'string') return null;
      const m = TIMESTAMP_RE.exec(value.trim());
      if (!m) return null;
      const ms = Date.parse(m[3] ? value.trim() : `${m[1]}T${m[2]}Z`);
      if (!Number.isFinite(ms)) return null;
      return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    }
  }
}

interface TablePlan {
  readonly table: PipelineTable;
  readonly keyIndexes: readonly number[];
}

function plans(pipeline: Pipeline): Map<string, TablePlan> {
  return new Map(
    pipeline.tables.map((t) => [
      t.name,
      { table: t, keyIndexes: t.key.map((k) => t.columns.findIndex((c) => c.name === k)) },
    ]),
  );
}

function keyOf(row: Row, plan: TablePlan): Cell[] {
  return plan.keyIndexes.map((i) => row[i] ?? null);
}

const sameKey = (a: readonly Cell[], b: readonly Cell[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** Orders the rows by table declaration, takes the first row's key and checks every row has it. */
function finish(
  rows: Map<string, Row[]>,
  byTable: Map<string, TablePlan>,
  order: readonly PipelineTable[],
): MappedItem {
  let key: Cell[] | undefined;
  for (const t of order) {
    const first = rows.get(t.name)?.[0];
    if (first) {
      key = keyOf(first, byTable.get(t.name) as TablePlan);
      break;
    }
  }
  if (!key) return { ok: false, reason: 'the item produced no rows' };
  if (key.some((v) => v === null)) return { ok: false, reason: 'the item has no value for its key' };
  for (const [name, list] of rows) {
    const plan = byTable.get(name) as TablePlan;
    for (const row of list)
      if (!sameKey(keyOf(row, plan), key))
        throw new MappingError(
          `a row of ${name} has the key ${JSON.stringify(keyOf(row, plan))}, but the item's key is ${JSON.stringify(key)}: every row of an item carries its key`,
        );
  }
  return { ok: true, key, rows };
}

export function declarativeMapper(pipeline: Pipeline, specs: readonly DeclarativeRows[]): ItemMapper {
  const byTable = plans(pipeline);
  return (item) => {
    const rows = new Map<string, Row[]>();
    for (const spec of specs) {
      const plan = byTable.get(spec.table) as TablePlan;
      const elements = spec.forEach === null ? [item] : readPath(item, spec.forEach);
      const list = rows.get(spec.table) ?? [];
      for (const element of Array.isArray(elements) ? elements : []) {
        list.push(
          plan.table.columns.map((c) => {
            const p = spec.fields[c.name];
            return p === undefined ? null : coerce(readPath(element, p, item), c.type);
          }),
        );
      }
      rows.set(spec.table, list);
    }
    return finish(rows, byTable, pipeline.tables);
  };
}

export function transformMapper(pipeline: Pipeline, fn: TransformFunction): ItemMapper {
  const byTable = plans(pipeline);
  return (item) => {
    const result = fn(item) as unknown;
    if (typeof result !== 'object' || result === null || !('ok' in result))
      throw new MappingError('the transform must return { ok: true, tables } or { ok: false, problem }');
    const r = result as TransformResult;
    if (!r.ok) return { ok: false, reason: String(r.problem?.message ?? 'the transform refused the item') };
    const rows = new Map<string, Row[]>();
    for (const [name, objects] of Object.entries(r.tables)) {
      const plan = byTable.get(name);
      if (!plan)
        throw new MappingError(
          `the transform wrote rows of table "${name}", which the pipeline does not declare`,
        );
      const columns = plan.table.columns;
      const list: Row[] = new Array<Row>(objects.length);
      for (let i = 0; i < objects.length; i++) {
        const o = objects[i] as Readonly<Record<string, unknown>>;
        const row: Row = new Array<Cell>(columns.length);
        for (let j = 0; j < columns.length; j++) {
          const c = columns[j] as (typeof columns)[number];
          row[j] = coerce(o[c.name], c.type);
        }
        list[i] = row;
      }
      rows.set(name, list);
    }
    return finish(rows, byTable, pipeline.tables);
  };
}
