import { DuckDBInstance, JsonDuckDBValueConverter } from '@duckdb/node-api';
import * as api from '@duckdb/node-api';
const sql = `SELECT "t"."ts" AS "ts", "t"."tenant", "t"."category", "t"."region", "t"."user_id", "t"."amount", "t"."duration_ms", "t"."message" FROM "events" AS "t" LIMIT ${process.argv[3]}`;
const file = '/work/wt/exports/bench/.data/events-1m.duckdb';
const inst = await DuckDBInstance.create(file, {
  access_mode: 'READ_ONLY',
  threads: '1',
  memory_limit: '16MB',
});
const conn = await inst.connect();
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
let n = 0;
const r = await conn.stream(sql);
const mode = process.argv[2];
const s = performance.now();
for (;;) {
  const c = await r.fetchChunk();
  if (!c || c.rowCount === 0) break;
  const rows = c.getRowsJson
    ? c.getRowsJson()
    : c.convertRows(api.JsonDuckDBValueConverter ?? JsonDuckDBValueConverter);
  n += rows.length;
  if (mode === 'reset') c.reset();
}
clearInterval(t);
console.log(
  mode,
  n,
  'added MB',
  Math.round((peak - rss0) / 1e6),
  'heap',
  Math.round(process.memoryUsage().heapUsed / 1e6),
  ((performance.now() - s) / 1000).toFixed(2),
);
