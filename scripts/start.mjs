#!/usr/bin/env node
// `npm start [-- EXAMPLE]`: sets up (scripts/setup.mjs), then serves examples/EXAMPLE — by default
// clinical-trials — in demo mode (`trellis serve --demo`: demo accounts, a sign-in link printed) in this same process, so Ctrl+C and SIGTERM reach the server itself and its
// graceful shutdown (a wrapper process would have to relay signals and exit codes). Node built-ins only.
//
// DuckDB runs on the libuv pool, whose size is fixed when it is first used: set it before anything
// else, as bin/trellis.js does (its own `??=` then keeps this value). The imports below are hoisted,
// but they are Node built-ins, which do not use the pool when they load.
process.env.UV_THREADPOOL_SIZE ??= '8';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const examples = path.join(root, 'examples');
const name = process.argv[2] ?? 'clinical-trials';
const available = readdirSync(examples).filter((d) => existsSync(path.join(examples, d, 'trellis.yaml')));
// Only a known example folder name: never a path that could point anywhere else.
if (!available.includes(name)) {
  process.stderr.write(`start: unknown example "${name}"; one of: ${available.join(', ')}\n`);
  process.exit(2);
}
const setup = spawnSync(process.execPath, [path.join(root, 'scripts', 'setup.mjs'), 'start'], {
  cwd: root,
  stdio: 'inherit',
});
if (setup.status !== 0) process.exit(setup.status ?? 1);
process.argv = [
  process.argv[0] ?? process.execPath,
  path.join(root, 'bin', 'trellis.js'),
  'serve',
  // Demo mode: the example's demo: accounts, and a one-time sign-in link printed to the console.
  '--demo',
  path.join(examples, name),
];
await import('../bin/trellis.js');
