#!/usr/bin/env node
// Makes a fresh clone runnable with no other step: installs dependencies, builds what is stale,
// generates the example data, and (for tests) makes sure Chromium is there. Node built-ins only,
// because it runs before node_modules exists. Each step is skipped when its stamp is current.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2] ?? 'start'; // start | test
const CI = process.env.CI === 'true';
const log = (msg) => process.stdout.write(`setup: ${msg}\n`);

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  return r.status === 0;
}

function fail(msg) {
  process.stderr.write(`setup: ${msg}\n`);
  process.exit(1);
}

function hashFiles(files) {
  const h = createHash('sha256');
  // Paths relative to the checkout, so that a clone in another folder (a git worktree) reuses stamps.
  for (const f of files.sort()) h.update(path.relative(root, f)).update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

function listFiles(dir, filter = () => true) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...listFiles(p, filter));
    } else if (filter(p)) out.push(p);
  }
  return out;
}

// 1. Dependencies: `npm ci` when node_modules is missing or was installed from another lock file.
const lock = path.join(root, 'package-lock.json');
const lockStamp = path.join(root, 'node_modules', '.trellis-lock');
const lockHash = hashFiles([lock]);
if (!existsSync(lockStamp) || readFileSync(lockStamp, 'utf8') !== lockHash) {
  log('installing dependencies (npm ci)…');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) fail('npm ci failed; see the output above');
  writeFileSync(lockStamp, lockHash);
}

// 2. Build: when any source that ends up in dist/ changed since the last build.
const sources = [
  ...['server', 'contract', 'web', 'bench'].flatMap((d) =>
    listFiles(path.join(root, d), (p) => !p.endsWith('.test.ts')),
  ),
  ...listFiles(
    path.join(root, 'examples'),
    (p) => /\/(generator|transforms|stand-in)\/[^/]+\.ts$/.test(p) && !p.endsWith('.test.ts'),
  ),
  lock,
  path.join(root, 'tsconfig.build.json'),
];
const buildStamp = path.join(root, 'dist', '.build-hash');
const buildHash = hashFiles(sources);
if (!existsSync(buildStamp) || readFileSync(buildStamp, 'utf8') !== buildHash) {
  if (!run(process.execPath, [path.join(root, 'scripts', 'build.mjs')]))
    fail('build failed; see the output above');
  writeFileSync(buildStamp, buildHash);
}

// 3. Example data: regenerate when missing or when the generator changed.
const examples = [
  {
    name: 'clinical-trials',
    db: path.join(root, 'examples', 'clinical-trials', 'data', 'trials.duckdb'),
    generator: path.join(root, 'dist', 'examples', 'clinical-trials', 'generator', 'main.js'),
    inputs: listFiles(
      path.join(root, 'examples', 'clinical-trials'),
      (p) => /\/(generator|transforms|stand-in)\/[^/]+\.ts$/.test(p) && !p.endsWith('.test.ts'),
    ),
  },
  {
    name: 'vm-inventory',
    db: path.join(root, 'examples', 'vm-inventory', 'data', 'vm-inventory.duckdb'),
    generator: path.join(root, 'dist', 'examples', 'vm-inventory', 'generator', 'main.js'),
    inputs: listFiles(
      path.join(root, 'examples', 'vm-inventory', 'generator'),
      (p) => p.endsWith('.ts') && !p.endsWith('.test.ts'),
    ),
  },
  {
    name: 'sourcing',
    db: path.join(root, 'examples', 'sourcing', 'data', 'sourcing.duckdb'),
    generator: path.join(root, 'dist', 'examples', 'sourcing', 'generator', 'main.js'),
    inputs: listFiles(
      path.join(root, 'examples', 'sourcing', 'generator'),
      (p) => p.endsWith('.ts') && !p.endsWith('.test.ts'),
    ),
  },
];
for (const ex of examples) {
  const stamp = `${ex.db}.stamp`;
  const hash = hashFiles(ex.inputs);
  if (existsSync(ex.db) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) continue;
  log(`generating the ${ex.name} example data…`);
  if (!run(process.execPath, [ex.generator, '--out', ex.db]))
    fail(`generating ${ex.name} data failed; see the output above`);
  writeFileSync(stamp, hash);
}

// 4. Tests drive a real Chromium. Debian's package is the only browser that installs here.
if (mode === 'test' && !existsSync('/usr/bin/chromium')) {
  const root_ = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root_) {
    log('installing Chromium for the browser tests (apt-get install chromium)…');
    const quiet = {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    };
    if (!run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], quiet)) {
      run('apt-get', ['update'], quiet);
      run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], quiet);
    }
  }
  if (!existsSync('/usr/bin/chromium')) {
    const msg = 'Chromium is not installed (/usr/bin/chromium); install it with: apt-get install -y chromium';
    if (CI) fail(`${msg}. Browser tests are required under CI=true.`);
    log(`WARNING: ${msg}. The browser tests will be SKIPPED.`);
  }
}
const age = (p) =>
  existsSync(p) ? `${((Date.now() - statSync(p).mtimeMs) / 60000).toFixed(0)} min old` : 'missing';
log(
  `ready (build ${age(path.join(root, 'dist', '.build-stamp'))}, data ${examples.map((ex) => `${ex.name} ${age(ex.db)}`).join(', ')})`,
);
