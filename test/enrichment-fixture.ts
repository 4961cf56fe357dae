import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import type { Candidate } from '../examples/sourcing/generator/generate-candidates.js';

/**
 * A project for enrichment tests and the `enrichment` benchmark: one DuckDB source per target, each
 * holding a `candidates` table (id, headline, org = sourcex), and an enrich pipeline `screen_<target>`
 * per target calling the scoring stand-in (SCORING_API_URL, SCORING_API_KEY from the environment).
 */
export interface EnrichPipelineOptions {
  readonly concurrency: number;
  readonly batch: number;
  /** `{ calls, per }` of the shared `scoring` limit, or none. */
  readonly rateLimit?: { readonly calls: number; readonly per: string };
  readonly timeout: string;
  readonly retries: number;
  readonly backoff: string;
  readonly maxBackoff: string;
  /** The declared price of one call (api_usage.cost); default 0. */
  readonly costPerCall?: number;
}

/** Where the rows come from and go: a DuckDB file by default, a PostgreSQL schema with `server`. */
export interface EnrichProjectOptions {
  /**
   * The targets' sources get `server_url_env: <urlEnv>`; the candidates are also loaded into the
   * PostgreSQL database `url` names (its `search_path` option names a schema of its own, recreated
   * here). Runs given `urlEnv=url` then read and write there; without it, the DuckDB files.
   */
  readonly server?: { readonly urlEnv: string; readonly url: string };
  /** Read the rows through the `candidates` dataset (`from: { dataset }`) instead of the table. */
  readonly fromDataset?: boolean;
}

export function enrichPipelineYaml(target: string, o: EnrichPipelineOptions, fromDataset = false): string {
  return `title: Screen candidates (${target})
organisation: sourcex
type: enrich
target: ${target}
tenant_column: org
enrich:
  from: { ${fromDataset ? 'dataset' : 'table'}: candidates, columns: [id, headline] }
  batch: ${o.batch}
  concurrency: ${o.concurrency}
  request:
    method: POST
    url: http://scoring.invalid/score
    url_env: SCORING_API_URL
    headers: { x-api-key: '\${env:SCORING_API_KEY}' }
    body: { id: '\${row.id}', headline: '\${row.headline}' }
${o.rateLimit ? `  rate_limit: { name: scoring, calls: ${o.rateLimit.calls}, per: ${o.rateLimit.per} }\n` : ''}  timeout: ${o.timeout}
  retries: ${o.retries}
  backoff: ${o.backoff}
  max_backoff: ${o.maxBackoff}
  circuit: { failures: 50, cool_down: 200ms }
  result: { score: score, reasons: reasons }
  cost_per_call: ${o.costPerCall ?? 0}
tables:
  screening:
    key: [id]
    columns: { id: VARCHAR, score: DOUBLE, reasons: VARCHAR }
`;
}

/** Settings of an agent (launch-then-poll) pipeline against the agent stand-in (AGENT_API_URL, AGENT_API_KEY). */
export interface AgentPipelineOptions {
  readonly lock?: string;
  readonly interval: string;
  readonly maxInterval: string;
  readonly pollTimeout: string;
  readonly timeout: string;
  readonly retries: number;
  readonly concurrency?: number;
}

/**
 * `agent_<target>`: for each candidate, launch the one search agent with the headline as its query,
 * poll its container until `finished` (or `error`), then fetch its result object into `searches`.
 */
export function agentPipelineYaml(target: string, o: AgentPipelineOptions): string {
  return `title: Search agent (${target})
organisation: sourcex
type: enrich
target: ${target}
tenant_column: org
${
  o.lock
    ? `lock: ${o.lock}
`
    : ''
}enrich:
  from: { table: candidates, columns: [id, headline] }
  batch: 10
  concurrency: ${o.concurrency ?? 1}
  request:
    method: POST
    url: http://agents.invalid/api/v2/agents/launch
    url_env: AGENT_API_URL
    headers: { x-phantombuster-key: '\${env:AGENT_API_KEY}' }
    body: { id: search-agent, argument: { query: '\${row.headline}' } }
  poll:
    request:
      method: GET
      url: http://agents.invalid/api/v2/containers/fetch
      url_env: AGENT_API_URL
      query: { id: '\${launch.containerId}' }
      headers: { x-phantombuster-key: '\${env:AGENT_API_KEY}' }
    status: status
    done: [finished]
    failed: [error]
    interval: ${o.interval}
    max_interval: ${o.maxInterval}
    timeout: ${o.pollTimeout}
  fetch:
    request:
      method: GET
      url: http://agents.invalid/api/v2/containers/fetch-result-object
      url_env: AGENT_API_URL
      query: { id: '\${launch.containerId}' }
      headers: { x-phantombuster-key: '\${env:AGENT_API_KEY}' }
  timeout: ${o.timeout}
  retries: ${o.retries}
  backoff: 20ms
  max_backoff: 200ms
  circuit: { failures: 50, cool_down: 100ms }
  result: { query: resultObject.query, found: resultObject.found, corrupted: corrupted }
tables:
  searches:
    key: [id]
    columns: { id: VARCHAR, query: VARCHAR, found: INTEGER, corrupted: BOOLEAN }
`;
}

async function writeCandidates(
  file: string,
  rows: readonly Pick<Candidate, 'id' | 'headline'>[],
): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  await conn.run('CREATE TABLE candidates (id VARCHAR, headline VARCHAR, org VARCHAR)');
  const appender = await conn.createAppender('candidates');
  for (const c of rows) {
    appender.appendVarchar(c.id);
    appender.appendVarchar(c.headline);
    appender.appendVarchar('sourcex');
    appender.endRow();
  }
  appender.closeSync();
  await conn.run('CHECKPOINT');
  conn.closeSync();
  instance.closeSync();
}

/** A fresh schema (the URL's `search_path`) holding the candidates, as writeCandidates does for a file. */
async function writeCandidatesToPostgres(
  url: string,
  rows: readonly Pick<Candidate, 'id' | 'headline'>[],
): Promise<void> {
  const schema = /search_path(?:=|%3D)([a-z0-9_]+)/i.exec(url)?.[1];
  if (!schema) throw new Error('the PostgreSQL URL names no search_path schema of its own');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query('CREATE TABLE candidates (id text, headline text, org text)');
    for (let i = 0; i < rows.length; i += 1_000) {
      const chunk = rows.slice(i, i + 1_000);
      await client.query(
        `INSERT INTO candidates VALUES ${chunk.map((_, n) => `($${2 * n + 1}, $${2 * n + 2}, 'sourcex')`).join(', ')}`,
        chunk.flatMap((c) => [c.id, c.headline]),
      );
    }
  } finally {
    await client.end();
  }
}

/** The project folder (removed when the process exits); `meta/` is a store folder for TRELLIS_DATA_DIR. */
export async function createEnrichProject(
  targets: Readonly<Record<string, readonly Pick<Candidate, 'id' | 'headline'>[]>>,
  pipeline: EnrichPipelineOptions,
  options: EnrichProjectOptions = {},
): Promise<string> {
  const { server } = options;
  if (server && Object.keys(targets).length !== 1)
    throw new Error('a PostgreSQL enrichment project has one target (one schema)');
  const dir = mkdtempSync(path.join(tmpdir(), 'trellis-enrich-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const d of ['data', 'datasets', 'dashboards', 'pipelines', 'meta']) mkdirSync(path.join(dir, d));
  const names = Object.keys(targets);
  writeFileSync(
    path.join(dir, 'trellis.yaml'),
    `name: enrich-test
title: Enrichment test
sources:
${names.map((t) => `  ${t}: { type: duckdb, path: data/${t}.duckdb${server ? `, server_url_env: ${server.urlEnv}` : ''} }`).join('\n')}
limits: { query_timeout: 5s, max_rows: 1000, max_bytes: 1MB }
`,
  );
  writeFileSync(
    path.join(dir, 'datasets', 'candidates.yaml'),
    `source: ${names[0]}\ntable: candidates\ntenant_column: org\ncolumns:\n  id: { type: string }\n  headline: { type: string }\n  org: { type: string }\n`,
  );
  writeFileSync(
    path.join(dir, 'dashboards', 'main.yaml'),
    'title: Main\ndataset: candidates\nwidgets:\n  - { id: n, type: kpi, title: Candidates, measure: count }\n',
  );
  for (const [target, rows] of Object.entries(targets)) {
    await writeCandidates(path.join(dir, 'data', `${target}.duckdb`), rows);
    if (server) await writeCandidatesToPostgres(server.url, rows);
    writeFileSync(
      path.join(dir, 'pipelines', `screen_${target}.yaml`),
      enrichPipelineYaml(target, pipeline, options.fromDataset),
    );
  }
  return dir;
}

/**
 * An enrich pipeline's YAML (enrichPipelineYaml) with inputs: `picked`, the rows to take (a keys
 * input, its `keys_input`), a required `note` sent in the body, and an optional `tier`.
 */
export function withPickedInputs(yaml: string): string {
  const out = yaml
    .replace('columns: [id, headline] }', 'columns: [id, headline], keys_input: picked }')
    .replace("headline: '${row.headline}' }", "headline: '${row.headline}', note: '${input.note}' }")
    .replace(
      'type: enrich\n',
      `type: enrich
inputs:
  picked: { type: keys, max_count: 5, max_length: 40 }
  note: { type: text, required: true, max_length: 20 }
  tier: { type: enum, values: [a, b] }
`,
    );
  if (!out.includes('keys_input: picked') || !out.includes('${input.note}'))
    throw new Error('enrichPipelineYaml changed: update withPickedInputs');
  return out;
}
