import { defineConfig } from 'vitest/config';

// Unit, API and property tests, in two projects: `node` for everything that needs no DOM, and
// `web-dom` for React component tests (`web/src/**/*.test.tsx`) in happy-dom. Every test file name
// must match one of the two include lists, or it would silently never run. Browser tests have their
// own config (vitest.e2e.config.ts) because they need the built app and run one file at a time.
export default defineConfig({
  test: {
    // A focused test (`.only`) fails the run under CI instead of quietly skipping everything else.
    allowOnly: process.env.CI !== 'true',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'server/**/*.test.ts',
            'contract/**/*.test.ts',
            'examples/**/*.test.ts',
            'web/src/**/*.test.ts',
            'bench/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'web-dom',
          include: ['web/src/**/*.test.tsx'],
          environment: 'happy-dom',
          // The router reads window.location at import: give every file a page URL to start on.
          environmentOptions: { happyDOM: { url: 'http://localhost:3000/' } },
          setupFiles: ['web/src/dom-test-setup.ts'],
        },
      },
    ],
  },
});
