import { formatProfile, type ProfileSummary } from './lib/cpu-profile.js';
import { disablePinning, pinning, pinSelf } from './lib/cpu-pinning.js';
import { parseBenchArgs, UsageError, type BenchOptions } from './lib/options.js';
import { printTable, writeResult, type ScenarioResult } from './lib/report.js';
import { argon2Hash } from './scenarios/argon2-hash.js';
import { coldScan } from './scenarios/cold-scan.js';
import { engineOverhead } from './scenarios/engine-overhead.js';
import { enrichment } from './scenarios/enrichment.js';
import { eventLoop } from './scenarios/event-loop.js';
import { exampleWidgets } from './scenarios/example-widgets.js';
import { exportScenario } from './scenarios/export.js';
import { frameworkFloor } from './scenarios/framework-floor.js';
import { ingestion } from './scenarios/ingestion.js';
import { noisyNeighbour } from './scenarios/noisy-neighbour.js';
import { sessionMemory } from './scenarios/session-memory.js';
import { shutdown } from './scenarios/shutdown.js';
import { stampede } from './scenarios/stampede.js';
import { uploads } from './scenarios/uploads.js';
import { uploadTargets } from './scenarios/upload-targets.js';
import { usersIn1gb } from './scenarios/users-in-1gb.js';
import { webBundle } from './scenarios/web-bundle.js';
import { devReload } from './scenarios/dev-reload.js';

/**
 * `npm run bench` runs every scenario; `npm run bench -- NAME [NAME…] [--rows 10m] [--profile]` runs
 * some. Each prints one row of the table and writes bench/results/<scenario>.json.
 */
const scenarios: Record<string, (options: BenchOptions) => Promise<ScenarioResult>> = {
  'web-bundle': webBundle,
  'example-widgets': exampleWidgets,
  'engine-overhead': engineOverhead,
  'framework-floor': frameworkFloor,
  stampede,
  shutdown,
  'session-memory': sessionMemory,
  'users-in-1gb': usersIn1gb,
  'event-loop': eventLoop,
  'cold-scan': coldScan,
  'argon2-hash': argon2Hash,
  ingestion,
  export: exportScenario,
  'noisy-neighbour': noisyNeighbour,
  'dev-reload': devReload,
  enrichment,
  uploads,
  'upload-targets': uploadTargets,
};

let options: BenchOptions;
try {
  options = parseBenchArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const unknown = options.scenarios.filter((w) => !(w in scenarios));
if (unknown.length) {
  process.stderr.write(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}\n`,
  );
  process.exit(2);
}

// The load generator (this process) stays off the server's core for the whole run.
if (!options.pin) disablePinning();
pinSelf('load');
process.stdout.write(`bench: ${pinning().note}\n`);
const results: ScenarioResult[] = [];
const started = performance.now();
for (const name of options.scenarios.length ? options.scenarios : Object.keys(scenarios)) {
  const t0 = performance.now();
  process.stdout.write(`bench: ${name}…\n`);
  const result = await (scenarios[name] as (o: BenchOptions) => Promise<ScenarioResult>)(options);
  writeResult(result, options);
  results.push(result);
  process.stdout.write(`  ${result.measured} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  const profile = result.details.profile as ProfileSummary | undefined;
  if (profile) process.stdout.write(`${formatProfile(profile)}\n`);
}
process.stdout.write(`\nbench: ${((performance.now() - started) / 60_000).toFixed(1)} min in all\n\n`);
printTable(results);
