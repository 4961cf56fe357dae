import type { DuckDBConnection } from '@duckdb/node-api';
import { TABLE_NAMES } from '../transforms/ctgov-study.js';

/**
 * The demo's two organisations (tenants). Demo mode creates them with these slugs; every table gets
 * an `org` column with one of them, so each organisation's users see only their own studies.
 */
export const CLINICAL_TRIALS_ORGANISATIONS = [
  { slug: 'atlas', name: 'Atlas Research' },
  { slug: 'beacon', name: 'Beacon Health' },
] as const;

/**
 * Splits the studies 60/40 between the organisations, deterministically (by position in NCT order,
 * three of every five to Atlas), and gives each child row its study's organisation. Real
 * ClinicalTrials.gov records have no owner, so this is a step of the demo build, not of the transform.
 */
export async function assignOrganisations(connection: DuckDBConnection): Promise<void> {
  const [atlas, beacon] = CLINICAL_TRIALS_ORGANISATIONS;
  await connection.run('ALTER TABLE studies ADD COLUMN org VARCHAR');
  await connection.run(
    `UPDATE studies SET org = r.org FROM (
       SELECT nct_id,
              CASE WHEN (row_number() OVER (ORDER BY nct_id) - 1) % 5 < 3 THEN '${atlas.slug}' ELSE '${beacon.slug}' END AS org
       FROM studies) AS r
     WHERE r.nct_id = studies.nct_id`,
  );
  for (const table of TABLE_NAMES) {
    if (table === 'studies') continue;
    await connection.run(`ALTER TABLE "${table}" ADD COLUMN org VARCHAR`);
    await connection.run(
      `UPDATE "${table}" SET org = s.org FROM studies AS s WHERE s.nct_id = "${table}".nct_id`,
    );
  }
}
