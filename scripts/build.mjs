#!/usr/bin/env node
// Builds the server (tsc → dist/) and the web app (vite → dist/web/). Node built-ins only.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const only = process.argv[2]; // "server" | "web" | undefined (both)

function run(label, cmd, args) {
  const started = Date.now();
  process.stdout.write(`build: ${label}…\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`build: ${label} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`build: ${label} done in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}

if (!only || only === 'server') {
  rmSync(path.join(root, 'dist', 'server'), { recursive: true, force: true });
  run('server (tsc)', bin('tsc'), ['-p', 'tsconfig.build.json']);
}
if (!only || only === 'web') {
  run('web (vite)', bin('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
}
writeFileSync(path.join(root, 'dist', '.build-stamp'), new Date().toISOString());
