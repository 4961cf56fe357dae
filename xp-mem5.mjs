import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
const sql = `SELECT "t"."ts" AS "ts", "t"."tenant", "t"."category", "t"."region", "t"."user_id", "t"."amount", "t"."duration_ms", "t"."message" FROM "events" AS "t" ORDER BY "ts" DESC NULLS LAST, "tenant" ASC NULLS LAST, "category" ASC NULLS LAST, "region" ASC NULLS LAST, "user_id" ASC NULLS LAST, "amount" ASC NULLS LAST, "duration_ms" ASC NULLS LAST, "message" ASC NULLS LAST LIMIT 1000001`;
const [ , , ml, sorted] = process.argv;
const q = sorted === 'nosort' ? sql.replace(/ ORDER BY.*LIMIT/, ' LIMIT') : sql;
const file = '/work/wt/exports/bench/.data/events-1m.duckdb';
mkdirSync('/tmp/xp/tmp2', { recursive: true });
const opts = { access_mode: 'READ_ONLY', threads: '2', temp_directory: '/tmp/xp/tmp2' };
if (ml !== 'none') opts.memory_limit = ml;
const inst = await DuckDBInstance.create(file, opts);
async function once() {
  const conn = await inst.connect();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0; const t = setInterval(() => peak = Math.max(peak, process.memoryUsage().rss), 10);
  const s = performance.now();
  let n = 0;
  const r = await conn.stream(q);
  for await (const c of r.yieldRowsJson()) n += c.length;
  clearInterval(t);
  conn.closeSync();
  return `added ${Math.round((peak - rss0)/1e6)} MB in ${((performance.now()-s)/1000).toFixed(1)} s`;
}
console.log(ml, sorted, 'first', await once(), 'second', await once(), 'third', await once());
