#!/usr/bin/env node
// Runs every test suite — unit, API and property tests, then the browser tests — and ends with
// one plain summary line, `N passed, N failed, N skipped`, counted from vitest's JSON reports.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'test-results');
mkdirSync(out, { recursive: true });
const vitest = path.join(root, 'node_modules', '.bin', 'vitest');
const extra = process.argv.slice(2);

const suites = [
  { name: 'unit, API and property tests', config: 'vitest.config.ts', report: path.join(out, 'unit.json') },
  { name: 'browser tests', config: 'vitest.e2e.config.ts', report: path.join(out, 'e2e.json') },
];

let exitCode = 0;
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const suite of suites) {
  if (!existsSync(path.join(root, suite.config))) {
    process.stderr.write(`run-tests: ${suite.config} is missing\n`);
    exitCode = 1;
    continue;
  }
  rmSync(suite.report, { force: true });
  process.stdout.write(`\n=== ${suite.name} ===\n`);
  const r = spawnSync(
    vitest,
    [
      'run',
      '--config',
      suite.config,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${suite.report}`,
      ...extra,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (r.status !== 0) exitCode = r.status ?? 1;
  if (existsSync(suite.report)) {
    const json = JSON.parse(readFileSync(suite.report, 'utf8'));
    totals.passed += json.numPassedTests ?? 0;
    totals.failed += json.numFailedTests ?? 0;
    totals.skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
    process.stdout.write(
      `${suite.name}: ${json.numPassedTests} passed, ${json.numFailedTests} failed, ${json.numPendingTests} skipped\n`,
    );
  } else {
    exitCode ||= 1;
  }
}
process.stdout.write(
  `\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
);
process.exit(exitCode);
