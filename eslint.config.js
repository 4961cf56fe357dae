// Lint: typescript-eslint recommended, plus the import directions that keep the layers apart.
// Each restriction says why, so the message explains itself when it fires.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns) => ['error', { patterns }];

// The driver library of each engine: only server/query/engines/<engine>/ may import it; everything
// else goes through the Engine seam, so that no code outside an engine depends on which one it is.
const DRIVERS = {
  duckdb: ['@duckdb/node-api'],
  postgres: ['pg', 'pg-*'],
  mysql: ['mysql2', 'mysql2/*'],
};
const ENGINE_FOLDERS = Object.keys(DRIVERS).map((engine) => `server/query/engines/${engine}/**`);
const driverRules = (except) =>
  Object.entries(DRIVERS)
    .filter(([engine]) => engine !== except)
    .map(([engine, group]) => ({
      group,
      message: `Only server/query/engines/${engine}/ talks to ${group[0]}: everything else goes through the Engine seam.`,
    }));
const httpFreeRules = [
  {
    group: ['fastify', '@fastify/*'],
    message:
      'query/, cache/, store/, services/, auth/, audit/ and jobs/ are HTTP-free so that workers and the CLI can use them.',
  },
  { group: ['**/routes/**', '**/http/**'], message: 'Lower layers never reach up into the HTTP layer.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'bench/results/**', 'examples/*/data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['contract/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        {
          group: ['**/server/**', '**/web/**'],
          message: 'contract/ is shared by server and web and imports neither.',
        },
      ]),
    },
  },
  {
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: {
      'no-restricted-imports': restrict([
        {
          group: ['**/server/**'],
          message: 'web/ talks to the server over HTTP only; share types through contract/.',
        },
        {
          group: ['echarts'],
          message: 'Import from echarts/core and register only the charts used, to keep bundles small.',
        },
      ]),
    },
  },
  {
    files: ['server/**/*.ts'],
    ignores: ENGINE_FOLDERS,
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/web/**'], message: 'server/ never imports the web app.' },
        ...driverRules(),
      ]),
    },
  },
  {
    files: [
      'server/query/**/*.ts',
      'server/cache/**/*.ts',
      'server/store/**/*.ts',
      'server/services/**/*.ts',
      'server/auth/**/*.ts',
      'server/audit/**/*.ts',
      'server/jobs/**/*.ts',
    ],
    ignores: ENGINE_FOLDERS,
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/web/**'], message: 'server/ never imports the web app.' },
        ...httpFreeRules,
        ...driverRules(),
      ]),
    },
  },
  // The metadata store runs on PostgreSQL too: it (and only it, besides the engine) may use pg.
  {
    files: ['server/store/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/web/**'], message: 'server/ never imports the web app.' },
        ...httpFreeRules,
        ...driverRules('postgres'),
      ]),
    },
  },
  // Each engine folder may import its own driver library, and no other engine's.
  ...Object.keys(DRIVERS).map((engine) => ({
    files: [`server/query/engines/${engine}/**/*.ts`],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['fastify', '@fastify/*', '**/routes/**', '**/http/**'], message: 'Engines are HTTP-free.' },
        ...driverRules(engine),
      ]),
    },
  })),
  {
    files: ['server/**/*.ts', 'contract/**/*.ts', 'web/**/*.ts', 'web/**/*.tsx'],
    ignores: ['server/config/env.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Read configuration from AppConfig: only server/config/env.ts reads process.env (parsed once, validated).',
        },
      ],
    },
  },
);
