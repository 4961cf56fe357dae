/**
 * CLI: generate the vm-inventory data and write it to a DuckDB file, a PostgreSQL database, or both.
 *
 *   node dist/examples/vm-inventory/generator/main.js --out PATH [--vms 25000] [--seed 20260801]
 *   node dist/examples/vm-inventory/generator/main.js --postgres-env VM_INVENTORY_DATABASE_URL
 *
 * `--postgres-env` takes the NAME of the environment variable holding the URL, as the project's
 * `server_url_env` does: a URL on the command line (password included) would be visible to every
 * user of the machine in the process list. Prints row counts and seconds; exit 1 with a one-line
 * reason on bad arguments or a failed write.
 */
import { parseArgs } from 'node:util';
import { buildDatabase } from './build-database.js';
import { DEFAULT_SEED, DEFAULT_VMS, MAX_VMS, MIN_VMS, generateInventory } from './generate-inventory.js';
import type { InventoryTables } from './inventory-tables.js';
import { describeTarget, loadPostgres } from './load-postgres.js';

const USAGE =
  'usage: main.js [--out PATH] [--postgres-env VAR] [--vms 25000] [--seed 20260801] (at least one of --out, --postgres-env)';

class UsageError extends Error {}

interface Cli {
  out: string | undefined;
  postgresUrl: string | undefined;
  postgresEnv: string | undefined;
  vms: number;
  seed: number;
}

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

function parseCli(argv: string[], env: NodeJS.ProcessEnv): Cli {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        'postgres-env': { type: 'string' },
        vms: { type: 'string' },
        seed: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const out = values['out'];
  const postgresEnv = values['postgres-env'];
  if ((out === undefined || out.trim() === '') && postgresEnv === undefined)
    throw new UsageError('name a target: --out PATH (DuckDB file) and/or --postgres-env VAR');
  let postgresUrl: string | undefined;
  if (postgresEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(postgresEnv))
      throw new UsageError('--postgres-env takes the NAME of an environment variable, not a URL');
    postgresUrl = env[postgresEnv];
    if (postgresUrl === undefined || !/^postgres(ql)?:\/\//.test(postgresUrl))
      throw new UsageError(`environment variable ${postgresEnv} must hold a postgres:// URL`);
  }
  return {
    out,
    postgresUrl,
    postgresEnv,
    vms: parseInteger('vms', values['vms'], DEFAULT_VMS, MIN_VMS, MAX_VMS),
    seed: parseInteger('seed', values['seed'], DEFAULT_SEED, 0, 0xffffffff),
  };
}

function printCounts(tables: InventoryTables): void {
  for (const [table, rows] of Object.entries(tables)) {
    console.log(`  ${table.padEnd(12)} ${String(rows.length).padStart(9)} rows`);
  }
}

async function main(): Promise<number> {
  let cli: Cli;
  try {
    cli = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n${USAGE}`);
      return 1;
    }
    throw err;
  }
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  const tables = generateInventory({ vms: cli.vms, seed: cli.seed });
  console.log(`generated ${cli.vms} VMs (seed ${cli.seed}) in ${seconds()} s`);
  printCounts(tables);
  try {
    if (cli.out !== undefined) {
      const r = await buildDatabase(cli.out, tables);
      console.log(`wrote ${r.file} (${(r.bytes / 1024 / 1024).toFixed(1)} MiB) at ${seconds()} s`);
    }
    if (cli.postgresUrl !== undefined) {
      const target = describeTarget(cli.postgresUrl);
      await loadPostgres(tables, { url: cli.postgresUrl });
      console.log(`loaded PostgreSQL ${target} (from ${cli.postgresEnv}) at ${seconds()} s`);
    }
    return 0;
  } catch (err) {
    // pg's messages name hosts and databases, never passwords.
    console.error(`error: writing the data failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

// exitCode instead of process.exit(), so buffered stdout is flushed before the process ends.
process.exitCode = await main();
