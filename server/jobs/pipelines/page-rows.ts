import type { Pipeline } from '../../config/project/pipeline.types.js';
import { MappingError, type Cell, type ItemMapper, type Row } from './row-mapping.js';
import type { SkipLog } from './run-support.js';
import { pipelineFailed } from './run-support.js';

/** One page's items as the ingest writer takes them: the item keys it replaces and the rows per table. */
export interface PageRows {
  readonly keys: (readonly Cell[])[];
  readonly rows: Map<string, Row[]>;
  /** Rows over all tables. */
  readonly count: number;
}

/**
 * Maps a page's items to rows. An item the mapper refuses is skipped (and logged); a mapping error
 * (a transform that throws) fails the run. The last version of an item within a page wins.
 */
export function mapPageItems(
  pipeline: Pipeline,
  mapper: ItemMapper,
  items: readonly unknown[],
  pageNo: number,
  skips: SkipLog,
): PageRows {
  const byKey = new Map<string, { key: readonly Cell[]; rows: ReadonlyMap<string, Row[]> }>();
  for (const item of items) {
    let mapped;
    try {
      mapped = mapper(item);
    } catch (err) {
      if (err instanceof MappingError) throw pipelineFailed(pipeline, `page ${pageNo}: ${err.message}`, err);
      throw err;
    }
    if (!mapped.ok) skips.add(pageNo, mapped.reason);
    else byKey.set(JSON.stringify(mapped.key), { key: mapped.key, rows: mapped.rows });
  }
  const keys: (readonly Cell[])[] = [];
  const rows = new Map<string, Row[]>(pipeline.tables.map((t) => [t.name, []]));
  let count = 0;
  for (const entry of byKey.values()) {
    keys.push(entry.key);
    for (const [table, list] of entry.rows) {
      const target = rows.get(table) as Row[];
      for (const row of list) target.push(row);
      count += list.length;
    }
  }
  return { keys, rows, count };
}
