/**
 * CLI: build the bench `events` data.
 *
 *   node dist/bench/data/main.js [--rows 1m|10m|100m] [--out PATH]
 *
 * Without --out it writes bench/project/data/events.duckdb, the file the template project reads,
 * so `trellis check bench/project` passes. Scenarios build their own copies (bench/.data/).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS, parseRowCount, UsageError } from '../lib/options.js';
import { buildEvents } from './build-events.js';
import { TEMPLATE_DIR } from './bench-project.js';

async function main(): Promise<number> {
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: { rows: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    });
    const rows = values.rows ? parseRowCount(values.rows) : DEFAULTS.rows;
    const file = path.resolve(values.out ?? path.join(TEMPLATE_DIR, 'data', 'events.duckdb'));
    const r = await buildEvents({ file, rows });
    console.log(
      r.built
        ? `built ${r.file}: ${r.rows} rows in ${r.seconds.toFixed(1)} s, ${(r.bytes / 1024 ** 2).toFixed(1)} MiB`
        : `${r.file} is up to date (${r.rows} rows)`,
    );
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      console.error(`error: ${(err as Error).message}\nusage: main.js [--rows 1m|10m|100m] [--out PATH]`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main();
