import { defineConfig } from 'vitest/config';

// Unit, API and property tests. Browser tests have their own config (vitest.e2e.config.ts) because
// they need the built app and run one file at a time.
export default defineConfig({
  test: {
    include: [
      'server/**/*.test.ts',
      'contract/**/*.test.ts',
      'examples/**/*.test.ts',
      'web/src/**/*.test.ts',
      'bench/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    environment: 'node',
    // A focused test (`.only`) fails the run under CI instead of quietly skipping everything else.
    allowOnly: process.env.CI !== 'true',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
