import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverPrefix } from './cpu-pinning.js';
import { repoRoot } from './server-process.js';

export interface PipelineRunResult {
  /** Wall time from spawn to exit. */
  readonly seconds: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The process's true peak RSS (VmHWM) in MiB, NaN where /proc is missing. */
  readonly peakMiB: number;
}

/**
 * `trellis pipeline run DIR PIPELINE` as a process of its own, measured the way the ingestion and
 * enrichment scenarios both need: pinned to the server's core (as the server is in every other
 * scenario; a stand-in API or replay server stays on the load generator's core, inherited), with the
 * peak-RSS reporter preloaded. A non-zero exit throws with the process's output.
 */
export async function runPipelineCommand(
  dir: string,
  pipeline: string,
  env: NodeJS.ProcessEnv,
): Promise<PipelineRunResult> {
  const reporter = pathToFileURL(path.join(repoRoot, 'dist', 'bench', 'lib', 'peak-rss-reporter.js')).href;
  const [command, ...prefix] = [...serverPrefix(), process.execPath];
  const started = performance.now();
  const run = spawn(
    command as string,
    [
      ...prefix,
      '--import',
      reporter,
      path.join(repoRoot, 'bin', 'trellis.js'),
      'pipeline',
      'run',
      dir,
      pipeline,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  run.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  run.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => run.on('exit', (c) => resolve(c)));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`trellis pipeline run exited ${code}:\n${stderr}\n${stdout}`);
  const peakMiB = Number(/^peak-rss-kib (\d+)$/m.exec(stderr)?.[1] ?? NaN) / 1024;
  return { seconds, stdout, stderr, peakMiB };
}
