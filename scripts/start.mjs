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
if (name === 'sourcing') {
  // The sourcing example calls a scoring API and a contact agent API: local stand-ins
  // (examples/sourcing/stand-in, one process) that throttle and fail like the real ones. The keys are
  // demo keys for those stand-ins only; with real APIs, set SCORING_API_URL / SCORING_API_KEY and
  // AGENT_API_URL / AGENT_API_KEY yourself.
  const { spawn } = await import('node:child_process');
  process.env.SCORING_API_KEY ??= 'demo-scoring-key';
  process.env.AGENT_API_KEY ??= 'demo-agent-key';
  const port = process.env.SCORING_API_PORT ?? '4610';
  const agentPort = process.env.AGENT_API_PORT ?? '4611';
  process.env.SCORING_API_URL ??= `http://127.0.0.1:${port}`;
  process.env.AGENT_API_URL ??= `http://127.0.0.1:${agentPort}`;
  const standIn = spawn(
    process.execPath,
    [path.join(root, 'dist', 'examples', 'sourcing', 'stand-in', 'main.js')],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, SCORING_API_PORT: port, AGENT_API_PORT: agentPort },
    },
  );
  process.once('exit', () => standIn.kill('SIGTERM'));
}
process.argv = [
  process.argv[0] ?? process.execPath,
  path.join(root, 'bin', 'trellis.js'),
  'serve',
  // Demo mode: the example's demo: accounts, and a one-time sign-in link printed to the console.
  '--demo',
  path.join(examples, name),
];
await import('../bin/trellis.js');
