// Lint: typescript-eslint recommended, plus the import directions that keep the layers apart.
// Each restriction says why, so the message explains itself when it fires. CI runs `eslint .`.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The driver library of each engine: only server/query/engines/<engine>/ may import it; everything
// else goes through the Engine seam, so that no code outside an engine depends on which one it is.
const DRIVERS = {
  duckdb: ['@duckdb/node-api'],
  postgres: ['pg', 'pg-*'],
  mysql: ['mysql2', 'mysql2/*'],
};
const ENGINES = Object.keys(DRIVERS);
const ENGINE_FOLDERS = ENGINES.map((engine) => `server/query/engines/${engine}/**`);
const TESTS = ['**/*.test.ts', '**/*.test.tsx'];

const driverRules = (except) =>
  Object.entries(DRIVERS)
    .filter(([engine]) => engine !== except)
    .map(([engine, group]) => ({
      group,
      message: `Only server/query/engines/${engine}/ talks to ${group[0]}: everything else goes through the Engine seam.`,
    }));

// An engine's folder is sealed: from outside, only its index.ts is importable, so an engine can
// change its files without breaking anyone, and nothing grows to depend on one engine's internals.
const sealedEngines = ENGINES.map((engine) => ({
  regex: `(^|/)engines/${engine}/(?!index\\.js$)[^/]+$`,
  message: `Import server/query/engines/${engine}/index.js, not the engine's internal files: the folder is sealed.`,
}));

// Service libraries live behind one seam each, so swapping or upgrading one touches one folder.
const library = (name, allowed) => ({
  group: [name, `${name}/*`],
  message: `${name} is confined to ${allowed}: everything else uses that folder's seam.`,
});
const IOREDIS = library('ioredis', 'server/cache/ (the Cache seam) and server/jobs/ (BullMQ)');
const BULLMQ = library('bullmq', 'server/jobs/ (the Queue seam)');
const KYSELY = library(
  'kysely',
  'the metadata store and the services that own its tables (server/store, auth, audit, jobs, uploads)',
);

const HTTP = [
  {
    group: ['fastify', '@fastify/*'],
    message: 'Only routes/, http/, app.ts and the CLI know Fastify, so workers and the CLI can use the rest.',
  },
  { group: ['**/routes/**', '**/http/**'], message: 'Lower layers never reach up into the HTTP layer.' },
];
const NO_WEB = { group: ['**/web/**'], message: 'server/ never imports the web app.' };

// The layers from the bottom: a folder may import those below it, never those above. Each entry
// lists what the folder must not import; the message names why.
const above = (folder, names) => ({
  group: names.map((n) => `**/${n}/**`),
  message: `${folder} sits below ${names.join(', ')}: lower layers never import higher ones (docs/ARCHITECTURE.md).`,
});
const LAYERS = {
  'server/policies': [
    above('policies/', ['auth', 'audit', 'store', 'query', 'cache', 'jobs', 'services', 'cli']),
    ...HTTP,
  ],
  'server/store': [
    above('store/', ['auth', 'audit', 'query', 'cache', 'jobs', 'services', 'policies', 'cli']),
    ...HTTP,
  ],
  'server/query': [
    above('query/', ['auth', 'audit', 'store', 'cache', 'jobs', 'services', 'policies', 'cli']),
    ...HTTP,
  ],
  'server/audit': [above('audit/', ['auth', 'query', 'cache', 'jobs', 'services', 'cli']), ...HTTP],
  'server/cache': [above('cache/', ['auth', 'audit', 'jobs', 'services', 'cli']), ...HTTP],
  'server/auth': [above('auth/', ['jobs', 'services', 'cli']), ...HTTP],
  'server/jobs': [above('jobs/', ['services', 'cli']), ...HTTP],
  'server/uploads': [above('uploads/', ['services', 'cli']), ...HTTP],
  'server/services': [above('services/', ['cli']), ...HTTP],
  'server/observability': [above('observability/', ['cli']), ...HTTP],
  'server/http': [above('http/', ['routes', 'cli'])],
  'server/routes': [above('routes/', ['cli'])],
};
const LIBRARIES_ALLOWED = {
  'server/cache': [BULLMQ, KYSELY],
  'server/jobs': [],
  'server/store': [IOREDIS, BULLMQ],
  'server/auth': [IOREDIS, BULLMQ],
  'server/audit': [IOREDIS, BULLMQ],
  'server/uploads': [IOREDIS, BULLMQ],
};
const librariesFor = (folder) => LIBRARIES_ALLOWED[folder] ?? [IOREDIS, BULLMQ, KYSELY];

const restrict = (patterns) => ['error', { patterns }];

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
  // No import cycles: a cycle makes module start-up order matter and every layer rule meaningless.
  // Type-only imports count too: a cycle of types is still two modules that cannot be understood apart.
  {
    files: ['server/**/*.ts', 'contract/**/*.ts', 'web/src/**/*.ts', 'web/src/**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.tsx', '.js'],
          extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
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
  // The Rules of Hooks: a hook called conditionally or after an early return changes React's hook
  // order between renders (a bug of that kind was found by hand on the invitation page). Stale
  // dependency lists are the other hooks bug lint can see; both run on every web file.
  {
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  // Tests, bench and examples may compose anything, but engines stay sealed and drivers stay put.
  {
    files: [
      'test/**/*.ts',
      'bench/**/*.ts',
      'e2e/**/*.ts',
      'examples/**/*.ts',
      ...TESTS.map((t) => `server/${t}`),
    ],
    ignores: ENGINE_FOLDERS,
    rules: { 'no-restricted-imports': restrict([NO_WEB, ...sealedEngines]) },
  },
  {
    files: ['server/**/*.ts'],
    ignores: [...ENGINE_FOLDERS, ...TESTS],
    rules: {
      'no-restricted-imports': restrict([
        NO_WEB,
        ...driverRules(),
        ...sealedEngines,
        IOREDIS,
        BULLMQ,
        KYSELY,
      ]),
    },
  },
  ...Object.entries(LAYERS).map(([folder, layer]) => ({
    files: [`${folder}/**/*.ts`],
    ignores: [...ENGINE_FOLDERS, ...TESTS],
    rules: {
      'no-restricted-imports': restrict([
        NO_WEB,
        ...layer,
        // The metadata store runs on PostgreSQL too: it (and only it, besides the engine) may use pg.
        ...driverRules(folder === 'server/store' ? 'postgres' : undefined),
        ...sealedEngines,
        ...librariesFor(folder),
      ]),
    },
  })),
  // bullmq takes an ioredis connection: only its adapter file in jobs/ may import ioredis, and the
  // Redis-backed rate limits and locks (their one file, behind open-coordination.ts).
  {
    files: ['server/jobs/**/*.ts'],
    ignores: ['server/jobs/bullmq-queue.ts', 'server/jobs/coordination/redis-coordination.ts', ...TESTS],
    rules: {
      'no-restricted-imports': restrict([
        NO_WEB,
        ...LAYERS['server/jobs'],
        ...driverRules(),
        ...sealedEngines,
        library(
          'ioredis',
          'server/cache/, server/jobs/bullmq-queue.ts and server/jobs/coordination/redis-coordination.ts',
        ),
      ]),
    },
  },
  // Each engine folder may import its own driver library, and no other engine's.
  ...ENGINES.map((engine) => ({
    files: [`server/query/engines/${engine}/**/*.ts`],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['fastify', '@fastify/*', '**/routes/**', '**/http/**'], message: 'Engines are HTTP-free.' },
        above(`engines/${engine}/`, [
          'auth',
          'audit',
          'store',
          'cache',
          'jobs',
          'services',
          'policies',
          'cli',
        ]),
        ...driverRules(engine),
        ...sealedEngines.filter((_, i) => ENGINES[i] !== engine),
        IOREDIS,
        BULLMQ,
        KYSELY,
      ]),
    },
  })),
  {
    files: ['server/**/*.ts', 'contract/**/*.ts', 'web/**/*.ts', 'web/**/*.tsx'],
    ignores: ['server/config/env.ts', ...TESTS],
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
