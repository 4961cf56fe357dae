import { defineConfig } from 'vitest/config';

// Browser tests: the real server in-process, the built web app, and Chromium through playwright-core.
// One file at a time in a forked process (DuckDB and Chromium are native and heavy); long timeouts
// because a cold browser and cold queries are slow on a small CI machine.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    // A focused test (`.only`) fails the run under CI instead of quietly skipping everything else.
    allowOnly: process.env.CI !== 'true',
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
