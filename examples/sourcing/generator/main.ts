import path from 'node:path';
import { buildDatabase } from './build-database.js';

/** `node dist/examples/sourcing/generator/main.js --out data/sourcing.duckdb` (scripts/setup.mjs runs it). */
const at = process.argv.indexOf('--out');
const out = at > 0 ? process.argv[at + 1] : undefined;
if (!out) {
  process.stderr.write('usage: main.js --out FILE.duckdb\n');
  process.exit(2);
}
await buildDatabase(path.resolve(out));
process.stdout.write(`wrote ${out}\n`);
