import pg from 'pg';
import { generateCandidates } from './generate-candidates.js';

/**
 * The PostgreSQL mode of the example (SOURCING_DATABASE_URL, the main source's `server_url_env`): the
 * same tables as build-database.ts in the database the URL names, recreated — the candidates of both
 * organisations, the empty `screening` and `contacts` results and the empty `api_usage` ledger. The server then reads
 * the dashboards there and the screening pipeline writes there, batch by batch.
 */
export async function buildPostgres(url: string, count = 10_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'sourcing-generator' });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS candidates, screening, contacts, api_usage');
    await client.query(`CREATE TABLE candidates (id text, name text, headline text, role text,
      location text, years integer, skills text, raw text, org text)`);
    await client.query(`CREATE TABLE screening (id text, score double precision, reasons text,
      status text, error text, attempts integer, enriched_at timestamp, org text)`);
    // The contact agent's results (pipelines/agent.yaml), status columns included, like `screening`.
    await client.query(`CREATE TABLE contacts (id text, query text, found integer, corrupted boolean,
      status text, error text, attempts integer, enriched_at timestamp, org text)`);
    await client.query(`CREATE TABLE api_usage (day date, resource text, pipeline text, run_id text,
      batch integer, calls integer, throttled integer, failures integer, cost double precision,
      recorded_at timestamp, org text)`);
    for (const [org, n, seed] of [
      ['sourcex', count, 2026],
      ['talentco', 500, 7],
    ] as const) {
      const rows = generateCandidates(n, seed);
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        const values = chunk.flatMap((c) => [
          org === 'sourcex' ? c.id : `t${c.id}`,
          c.name,
          c.headline,
          c.role,
          c.location,
          c.years,
          c.skills,
          c.raw,
          org,
        ]);
        const tuples = chunk.map(
          (_, r) => `(${Array.from({ length: 9 }, (_, k) => `$${r * 9 + k + 1}`).join(', ')})`,
        );
        await client.query(`INSERT INTO candidates VALUES ${tuples.join(', ')}`, values);
      }
    }
  } finally {
    await client.end();
  }
}
