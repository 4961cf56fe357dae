import path from 'node:path';
import { buildDatabase } from './build-database.js';
import { buildPostgres } from './build-postgres.js';

/** `node dist/examples/sourcing/generator/main.js --out data/sourcing.duckdb` (scripts/setup.mjs runs it). */
const at = process.argv.indexOf('--out');
const out = at > 0 ? process.argv[at + 1] : undefined;
if (!out) {
  process.stderr.write('usage: main.js --out FILE.duckdb\n');
  process.exit(2);
}
await buildDatabase(path.resolve(out));
process.stdout.write(`wrote ${out}\n`);
// PostgreSQL mode: the same tables in the database SOURCING_DATABASE_URL names (the main source's
// server_url_env), which the server then reads and the screening pipeline writes.
const serverUrl = process.env['SOURCING_DATABASE_URL']?.trim();
if (serverUrl) {
  await buildPostgres(serverUrl);
  process.stdout.write('loaded the candidates into SOURCING_DATABASE_URL\n');
}
