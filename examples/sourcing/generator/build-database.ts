import { existsSync, rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateCandidates } from './generate-candidates.js';

/**
 * data/sourcing.duckdb: 10,000 candidates of `sourcex` (and 500 of `talentco`, whom sourcex must
 * never see), and the empty `screening` and `contacts` tables the screening and agent pipelines fill
 * (status columns included, so the dashboards open before the first run), and the empty `api_usage` ledger.
 */
export async function buildDatabase(file: string, count = 10_000): Promise<void> {
  if (existsSync(file)) rmSync(file);
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  try {
    await conn.run(`CREATE TABLE candidates (id VARCHAR, name VARCHAR, headline VARCHAR, role VARCHAR,
      location VARCHAR, years INTEGER, skills VARCHAR, raw VARCHAR, org VARCHAR)`);
    const appender = await conn.createAppender('candidates');
    for (const [org, n, seed] of [
      ['sourcex', count, 2026],
      ['talentco', 500, 7],
    ] as const) {
      for (const c of generateCandidates(n, seed)) {
        appender.appendVarchar(org === 'sourcex' ? c.id : `t${c.id}`);
        appender.appendVarchar(c.name);
        appender.appendVarchar(c.headline);
        appender.appendVarchar(c.role);
        appender.appendVarchar(c.location);
        appender.appendInteger(c.years);
        appender.appendVarchar(c.skills);
        appender.appendVarchar(c.raw);
        appender.appendVarchar(org);
        appender.endRow();
      }
    }
    appender.closeSync();
    await conn.run(`CREATE TABLE screening (id VARCHAR, score DOUBLE, reasons VARCHAR, status VARCHAR,
      error VARCHAR, attempts INTEGER, enriched_at TIMESTAMP, org VARCHAR)`);
    await conn.run(`CREATE TABLE contacts (id VARCHAR, query VARCHAR, found INTEGER, corrupted BOOLEAN,
      status VARCHAR, error VARCHAR, attempts INTEGER, enriched_at TIMESTAMP, org VARCHAR)`);
    // The usage ledger the enrichment appends to (API_USAGE_TABLE), empty so its dashboard opens first.
    await conn.run(`CREATE TABLE api_usage (day DATE, resource VARCHAR, pipeline VARCHAR, run_id VARCHAR,
      batch INTEGER, calls INTEGER, throttled INTEGER, failures INTEGER, cost DOUBLE, recorded_at TIMESTAMP,
      org VARCHAR)`);
    await conn.run('CHECKPOINT');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
