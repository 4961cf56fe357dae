import type { ProfileSummary } from './cpu-profile.js';
import {
  startServer,
  type SeededAccounts,
  type SeedPlan,
  type ServerProcess,
  type StartOptions,
} from './server-process.js';

export type BenchServer = ServerProcess & { readonly accounts: SeededAccounts };

/**
 * Runs `fn` against a fresh production server and always stops it. With `profile`, the CPU profile
 * summary comes back beside the value, to go into the scenario's results.
 */
export async function withServer<T>(
  projectDir: string,
  options: StartOptions & { seed?: SeedPlan },
  fn: (server: BenchServer) => Promise<T>,
): Promise<{ value: T; profile: ProfileSummary | undefined }> {
  const server = await startServer(projectDir, options);
  let value: T;
  try {
    value = await fn(server);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { value, profile: await server.stop() };
}
