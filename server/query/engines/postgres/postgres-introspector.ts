import type { CustomTypesConfig, FieldDef } from 'pg';
import type { ColumnType } from '../../../config/project/project.types.js';
import { cellReaderOf, type CellReader } from '../../cell-values.js';

export type { CellReader } from '../../cell-values.js';

/**
 * How PostgreSQL's result types (by type OID) map onto dashboard column types, and how their text
 * values are read. Every value is received as text (see RAW_TEXT): pg's default parsers would turn a
 * DATE into a JS Date at local midnight (a day off west of UTC) and a BIGINT or NUMERIC into a string
 * anyway, so we read each column once, by its type, here.
 */
const BUILTIN = new Map<number, readonly [name: string, type: ColumnType | undefined]>([
  [16, ['boolean', 'boolean']],
  [17, ['bytea', undefined]],
  [18, ['char', 'string']],
  [19, ['name', 'string']],
  [20, ['bigint', 'number']],
  [21, ['smallint', 'number']],
  [23, ['integer', 'number']],
  [25, ['text', 'string']],
  [26, ['oid', 'number']],
  [114, ['json', undefined]],
  [700, ['real', 'number']],
  [701, ['double precision', 'number']],
  [790, ['money', undefined]],
  [1042, ['character', 'string']],
  [1043, ['character varying', 'string']],
  [1082, ['date', 'date']],
  [1083, ['time', undefined]],
  [1114, ['timestamp', 'timestamp']],
  [1184, ['timestamptz', 'timestamp']],
  [1186, ['interval', undefined]],
  [1700, ['numeric', 'number']],
  [2950, ['uuid', 'string']],
  [3802, ['jsonb', undefined]],
]);

/** pg's per-query type parsers: none. Values arrive as PostgreSQL's text and are read below. */
export const RAW_TEXT: CustomTypesConfig = { getTypeParser: () => (value: string) => value };

export function columnTypeOf(oid: number): ColumnType | undefined {
  return BUILTIN.get(oid)?.[1];
}

/** For types outside the built-in list (enums, extensions such as citext): by pg_type.typcategory. */
export function columnTypeOfCategory(category: string): ColumnType | undefined {
  switch (category) {
    case 'S': // string types (citext, …)
    case 'E': // enums
      return 'string';
    case 'N':
      return 'number';
    case 'B':
      return 'boolean';
    default:
      return undefined;
  }
}

export function nativeTypeName(oid: number): string | undefined {
  return BUILTIN.get(oid)?.[0];
}

/** pg's text form of a boolean is 't' or 'f'. */
const readBoolean: CellReader = (v) => (v === null || v === undefined ? null : v === 't' || v === true);

export function cellReaderFor(field: Pick<FieldDef, 'dataTypeID'>): CellReader {
  return cellReaderOf(columnTypeOf(field.dataTypeID), readBoolean);
}
