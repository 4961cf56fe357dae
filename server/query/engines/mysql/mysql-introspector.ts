import type { FieldPacket } from 'mysql2';
import type { ColumnType } from '../../../config/project/project.types.js';
import { cellReaderOf, type CellReader } from '../../cell-values.js';

export type { CellReader } from '../../cell-values.js';

/**
 * How MySQL/MariaDB column types (the protocol's type codes in field packets) map onto dashboard column
 * types, and how their values are read. MySQL has no BOOLEAN type: BOOLEAN is TINYINT(1), so a TINY
 * column of display width 1 is read as a boolean, as Connector/J does.
 */
const TYPES = new Map<number, readonly [name: string, type: ColumnType | undefined]>([
  [0, ['decimal', 'number']],
  [1, ['tinyint', 'number']],
  [2, ['smallint', 'number']],
  [3, ['int', 'number']],
  [4, ['float', 'number']],
  [5, ['double', 'number']],
  [6, ['null', undefined]],
  [7, ['timestamp', 'timestamp']],
  [8, ['bigint', 'number']],
  [9, ['mediumint', 'number']],
  [10, ['date', 'date']],
  [11, ['time', undefined]],
  [12, ['datetime', 'timestamp']],
  [13, ['year', 'number']],
  [14, ['date', 'date']],
  [15, ['varchar', 'string']],
  [16, ['bit', undefined]],
  [245, ['json', undefined]],
  [246, ['decimal', 'number']],
  [247, ['enum', 'string']],
  [248, ['set', 'string']],
  [249, ['tinytext', 'string']],
  [250, ['mediumtext', 'string']],
  [251, ['longtext', 'string']],
  [252, ['text', 'string']],
  [253, ['varchar', 'string']],
  [254, ['char', 'string']],
  [255, ['geometry', undefined]],
]);

/** Character set 63 is `binary`: VARBINARY and BLOB share type codes with VARCHAR and TEXT. */
const BINARY_CHARSET = 63;

type Field = Pick<FieldPacket, 'columnType' | 'columnLength' | 'characterSet'>;

export function columnTypeOf(field: Field): ColumnType | undefined {
  const code = field.columnType ?? -1;
  if (code === 1 && field.columnLength === 1) return 'boolean';
  const type = TYPES.get(code)?.[1];
  if (type === 'string' && field.characterSet === BINARY_CHARSET) return undefined;
  return type;
}

export function nativeTypeName(field: Field): string {
  const code = field.columnType ?? -1;
  if (code === 1 && field.columnLength === 1) return 'tinyint(1)';
  const name = TYPES.get(code)?.[0] ?? `type ${code}`;
  if (field.characterSet === BINARY_CHARSET && TYPES.get(code)?.[1] === 'string')
    return name.replace('text', 'blob').replace('char', 'binary');
  return name;
}

/** MySQL has no BOOLEAN: TINYINT(1) holds 0 or 1. */
const readBoolean: CellReader = (v) => (v === null || v === undefined ? null : Number(v) !== 0);

export function cellReaderFor(field: Field): CellReader {
  return cellReaderOf(columnTypeOf(field), readBoolean);
}
