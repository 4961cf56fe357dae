/**
 * CLI: build the offline clinical-trials DuckDB database.
 *
 *   node dist/examples/clinical-trials/generator/main.js --out PATH [--studies 50000] [--seed 20261124]
 *
 * Prints `studies N/TOTAL` progress lines, then row counts per table and the seconds taken.
 * Exit code 1 with a one-line reason on bad arguments or a failed build.
 */
import { parseArgs } from 'node:util';
import { buildDatabase } from './build-database.js';
import { DEFAULT_SEED, MAX_STUDIES } from './generate-studies.js';

const USAGE = 'usage: main.js --out PATH [--studies 50000] [--seed 20261124]';
const DEFAULT_STUDIES = 50_000;
/** Progress is printed every this many studies (and at the end). */
const PRINT_EVERY = 10_000;

class UsageError extends Error {}

/** Whole decimal numbers only: "5e4", "1.0" or "0x10" are more likely typos than intent. */
function parseInteger(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${raw}`);
  return n;
}

function parseCli(argv: string[]): { out: string; studies: number; seed: number } {
  let values: { out?: string | undefined; studies?: string | undefined; seed?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, studies: { type: 'string' }, seed: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.out === undefined || values.out.trim() === '') throw new UsageError('--out PATH is required');
  return {
    out: values.out,
    studies: parseInteger('studies', values.studies, DEFAULT_STUDIES, 1, MAX_STUDIES),
    seed: parseInteger('seed', values.seed, DEFAULT_SEED, 0, 0xffffffff),
  };
}

async function main(): Promise<number> {
  let args: { out: string; studies: number; seed: number };
  try {
    args = parseCli(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n${USAGE}`);
      return 1;
    }
    throw err;
  }
  try {
    const result = await buildDatabase({
      file: args.out,
      studies: args.studies,
      seed: args.seed,
      onProgress: (done, total) => {
        if (done % PRINT_EVERY === 0 || done === total) console.log(`studies ${done}/${total}`);
      },
    });
    console.log(
      `built ${result.file} (seed ${result.seed}) in ${result.seconds.toFixed(1)} s, ${(result.bytes / 1024 / 1024).toFixed(1)} MiB`,
    );
    for (const [table, count] of Object.entries(result.rowCounts)) {
      console.log(`  ${table.padEnd(14)} ${String(count).padStart(10)} rows`);
    }
    return 0;
  } catch (err) {
    console.error(`error: build failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

// exitCode instead of process.exit(), so buffered stdout is flushed before the process ends.
process.exitCode = await main();
