import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll } from 'vitest';
import { repoRoot } from './paths.js';
import { until } from './until.js';

/** A built `trellis` command (worker, serve, …) running in a child process, as an operator runs it. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Resolves with the first match of `pattern` in its stdout and stderr, now or later. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/**
 * The kill tests' way to start the built CLI: `run(args, env)` spawns `bin/trellis.js` on this node
 * (test mode, quiet logs, a random port on 127.0.0.1) and collects its output; every process still
 * running when the file's tests end is SIGKILLed, so a failed test leaves no worker behind.
 */
export function cliProcesses(): { run(args: readonly string[], env: Record<string, string>): CliProcess } {
  const running = new Set<ChildProcess>();
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
  });
  return {
    run(args, env) {
      const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'trellis.js'), ...args], {
        env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running.add(child);
      child.once('exit', () => running.delete(child));
      let out = '';
      child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
      return {
        child,
        waitFor: (pattern, timeoutMs = 60_000) =>
          until(() => pattern.exec(out) ?? undefined, timeoutMs, `${pattern} in:\n${out}`),
      };
    },
  };
}
