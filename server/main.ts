import { parseArgs } from 'node:util';
import { ConfigError, parseEnv, type AppConfig } from './config/env.js';
import { ACCOUNTS_USAGE } from './cli/accounts-usage.js';
import { DEMO_USAGE } from './cli/demo-usage.js';
import { PIPELINE_USAGE, pipelineCommand } from './cli/pipeline.command.js';
import { WORKER_USAGE } from './cli/worker-usage.js';
import { DEV_USAGE } from './cli/dev-usage.js';

// Kept here (not imported from init.command.ts) so the help does not load the engines.
const INIT_USAGE = `  init DIR --from SOURCE [--tables T1,T2] [--tenant-column COL | --shared] [--url-env NAME] [--yes]
               A new project from your data: a postgres:// or mysql:// URL (kept in the environment
               variable --url-env, default DATABASE_URL, never in files), a DuckDB file, or a folder of
               CSV/Parquet files; one dataset and one overview dashboard per table
`;

const USAGE = `Usage: trellis <command> [options]

Commands:
  serve DIR    Serve the project in DIR (PORT and HOST from the environment; default 127.0.0.1:3000);
               needs TRELLIS_SESSION_SECRET, and in production an admin (trellis user add … --role admin)
  serve --demo DIR
               Demo mode: create the project's demo: accounts, print a one-time sign-in link
               (refused under NODE_ENV=production; a random session secret per start if none is set)
  serve --role web DIR
               The web role only: no background jobs here (run them with trellis worker DIR)
${INIT_USAGE}${DEV_USAGE}${WORKER_USAGE}  check DIR    Validate the project in DIR against its sources; prints file:line: message per problem
${ACCOUNTS_USAGE}${DEMO_USAGE}${PIPELINE_USAGE}
Options:
  -h, --help   Show this help
`;

/** The CLI. Returns the exit code, or -1 for a command that keeps running (serve). */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, demo: { type: 'boolean' }, role: { type: 'string' } },
    strict: false,
  });
  const [command, dir] = positionals;
  if (command === 'init')
    return (await import('./cli/init.command.js')).initCommand(
      argv.slice(argv.indexOf(command) + 1),
      process,
    );
  // Account commands parse their own options (strictly), on the metadata store from the environment.
  if (command === 'demo') {
    const config = parseConfig(env);
    if (!config) return 1;
    // Loaded on demand, as the account commands: the store's drivers are no weight for the others.
    const { demoCommand } = await import('./cli/demo.command.js');
    return demoCommand(argv.slice(argv.indexOf(command) + 1), config, process);
  }
  if (command === 'pipeline') {
    const config = parseConfig(env);
    if (!config) return 1;
    return pipelineCommand(argv.slice(argv.indexOf(command) + 1), config, process);
  }
  if (command === 'user' || command === 'org') {
    const config = parseConfig(env);
    if (!config) return 1;
    const { accountsCommand } = await import('./cli/accounts.command.js');
    return accountsCommand(command, argv.slice(argv.indexOf(command) + 1), config, process);
  }
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  if ((command === 'serve' || command === 'check' || command === 'worker' || command === 'dev') && !dir) {
    process.stderr.write(
      `trellis ${command}: name the project folder, e.g. trellis ${command} examples/clinical-trials\n`,
    );
    return 2;
  }
  const role = values.role === undefined ? 'all' : values.role;
  if (command === 'serve' && role !== 'all' && role !== 'web') {
    process.stderr.write(`trellis serve: --role is web or all (the default), not "${String(role)}"\n`);
    return 2;
  }
  if (command !== 'serve' && command !== 'check' && command !== 'worker' && command !== 'dev') {
    process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  // Both commands open the sources, whose connection URLs come from the environment (url_env).
  const config = parseConfig(env);
  if (!config) return 1;
  // Loaded on demand: the web app and every engine driver are no weight for the other commands
  // (`trellis pipeline run` measures its memory; bench/scenarios/ingestion.ts).
  if (command === 'check') return (await import('./cli/check.command.js')).checkCommand(dir ?? '.', config);
  if (command === 'worker')
    return (await import('./cli/worker.command.js')).workerCommand(dir ?? '.', config);
  if (command === 'dev') return (await import('./cli/dev.command.js')).devCommand(dir ?? '.', config);
  const { serveCommand } = await import('./cli/serve.command.js');
  return serveCommand(dir ?? '.', config, {
    demo: values.demo === true,
    role: role === 'web' ? 'web' : 'all',
  });
}

/** The configuration, or undefined after printing every problem (exit 1). */
function parseConfig(env: NodeJS.ProcessEnv): AppConfig | undefined {
  try {
    return parseEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}
