import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './paths.js';

/** `trellis serve` (the built bin) in a child process on a random port, as users run it. */
export interface ServeProcess {
  readonly url: string;
  /** Everything it printed to stdout so far. */
  stdout(): string;
  /** Everything it printed to stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (now or later), failing after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

export const TEST_SECRET = 'test-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

function withoutSecret(): Record<string, string> {
  const env = { ...process.env } as Record<string, string>;
  delete env.TRELLIS_SESSION_SECRET;
  return env;
}

/** Starts it and waits for the "serving … at URL" line (or the exit, which is an error). */
export function startServe(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
  /** The folder it runs in (default: this one). */
  cwd?: string,
  /** An installed `trellis` command to run (default: the checkout's bin/trellis.js under this node). */
  command?: string,
): Promise<ServeProcess> {
  const child: ChildProcess = spawn(
    command ?? process.execPath,
    command ? ['serve', ...args] : [path.join(repoRoot, 'bin', 'trellis.js'), 'serve', ...args],
    {
      env: {
        ...withoutSecret(),
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: '0',
        HOST: '127.0.0.1',
        // No load balancer to drain from: stop() ends at once unless a test asks for the drain.
        TRELLIS_SHUTDOWN_DRAIN: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(cwd ? { cwd } : {}),
    },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`trellis serve did not start within ${timeoutMs} ms:\n${err}`));
    }, timeoutMs);
    const onData = () => {
      const m = /serving "[^"]*" at (http:\/\/\S+)/.exec(out);
      if (!m?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve({
        url: m[1],
        stdout: () => out,
        stderr: () => err,
        waitFor: (pattern, waitMs = 10_000) =>
          new Promise((found, missing) => {
            const check = () => {
              const hit = pattern.exec(out);
              if (!hit) return false;
              child.stdout?.off('data', check);
              clearTimeout(giveUp);
              found(hit);
              return true;
            };
            const giveUp = setTimeout(() => {
              child.stdout?.off('data', check);
              missing(new Error(`no ${pattern} in the output:\n${out}`));
            }, waitMs);
            if (!check()) child.stdout?.on('data', check);
          }),
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`trellis serve exited (${code}) before listening:\n${err}`));
    });
  });
}
