import { spawnSync } from 'node:child_process';
import os from 'node:os';

/**
 * Which cores the server and the load generator get. On a machine with ≥ 2 cores and `taskset`,
 * the server (and DuckDB's threads, which live in its process) gets core 0 and the bench process
 * the rest, so the load generator never steals the server's CPU and figures are repeatable.
 */
export interface Pinning {
  readonly available: boolean;
  /** taskset CPU lists, e.g. "0" and "1" (or "1-3"). */
  readonly serverCpus: string;
  readonly loadCpus: string;
  readonly note: string;
}

let cached: Pinning | undefined;

/** `--no-pin`: run unpinned, to see what pinning itself costs or hides (diagnosis runs only). */
export function disablePinning(): void {
  cached = { available: false, serverCpus: '', loadCpus: '', note: 'pinning switched off (--no-pin)' };
}

export function pinning(): Pinning {
  if (cached) return cached;
  const cores = os.cpus().length;
  const taskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  cached =
    taskset && cores >= 2
      ? {
          available: true,
          serverCpus: '0',
          loadCpus: cores === 2 ? '1' : `1-${cores - 1}`,
          note: `server on cpu 0, load generator on cpu ${cores === 2 ? '1' : `1-${cores - 1}`} (taskset)`,
        }
      : {
          available: false,
          serverCpus: '',
          loadCpus: '',
          note: taskset ? 'one core: no pinning' : 'taskset not found: no pinning',
        };
  return cached;
}

/** The command prefix that pins a child to the server's core ([] when pinning is unavailable). */
export function serverPrefix(): string[] {
  const p = pinning();
  return p.available ? ['taskset', '-c', p.serverCpus] : [];
}

/**
 * Moves every thread of this process to `cpus`. The raw-DuckDB phases of engine-overhead and
 * cold-scan run in this process and must get the same single core the server's DuckDB gets.
 */
export function pinSelf(which: 'server' | 'load'): void {
  const p = pinning();
  if (!p.available) return;
  const cpus = which === 'server' ? p.serverCpus : p.loadCpus;
  const r = spawnSync('taskset', ['-a', '-c', '-p', cpus, String(process.pid)], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`taskset could not pin the bench process to cpu ${cpus}`);
}
