import { DuckDBTypeId } from '@duckdb/node-api';
import type { ColumnType } from '../../../config/project/project.types.js';

/** How DuckDB's result types map onto dashboard column types, and how their JSON values are read. */
export function columnTypeOf(typeId: DuckDBTypeId): ColumnType | undefined {
  switch (typeId) {
    case DuckDBTypeId.VARCHAR:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.UUID:
      return 'string';
    case DuckDBTypeId.BOOLEAN:
      return 'boolean';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamp';
    default:
      return NUMERIC.has(typeId) ? 'number' : undefined;
  }
}

const NUMERIC = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.BIGNUM,
]);

export type CellReader = (value: unknown) => string | number | boolean | null;

/**
 * DuckDB's JSON form gives 64/128-bit integers and decimals as strings and non-finite doubles as
 * "NaN"/"Infinity"; dashboards want numbers, and JSON has no NaN, so those become null.
 */
export function cellReaderFor(typeId: DuckDBTypeId): CellReader {
  const type = columnTypeOf(typeId);
  if (type === 'number')
    return (v) => {
      if (v === null || v === undefined) return null;
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isFinite(n) ? n : null;
    };
  if (type === 'timestamp') return (v) => (typeof v === 'string' ? v.replace(' ', 'T') : null);
  if (type === 'string' || type === 'date')
    return (v) => (typeof v === 'string' ? v : v === null || v === undefined ? null : String(v));
  if (type === 'boolean') return (v) => (typeof v === 'boolean' ? v : null);
  return (v) => (v === null || v === undefined ? null : JSON.stringify(v));
}
