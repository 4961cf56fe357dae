import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AgentApi } from '../../../examples/sourcing/stand-in/agent-api.js';
import { ScoringApi } from '../../../examples/sourcing/stand-in/scoring-api.js';
import { generateCandidates } from '../../../examples/sourcing/generator/generate-candidates.js';
import { agentPipelineYaml, createEnrichProject } from '../../../test/enrichment-fixture.js';
import { repoRoot } from '../../../test/paths.js';
import { startServe, TEST_SECRET, type ServeProcess } from '../../../test/serve-process.js';
import { until } from '../../../test/until.js';
import { CLI_CONTEXT } from '../../audit/audit-log.js';
import { AccountsService } from '../../auth/accounts.service.js';
import { openStore } from '../../store/store.js';

// The issue's acceptance: "After runs with failures, a grep of server logs, run logs, error bodies,
// audit and /metrics for the API key finds nothing". A real `trellis serve` process (LOG_LEVEL=trace,
// so every level is printed) runs two enrich pipelines through the jobs API against the stand-ins,
// which fail the way careless APIs do: 500s whose body ECHOES the key, 503s, stalls past the call
// timeout, 429s (the pipeline's own limit is set above the API's), and agents whose poll ends `error`.
// Then everything the server said or stored is searched for the keys in the forms they could leak in.
// The keys hold `/`, `+` and `=` so that their URL-encoded form differs from the plain one.
const SCORING_KEY = 'sk-live/Q9+zX4=7f3a9c1e5b2d4f6a';
const AGENT_KEY = 'pb-key/R2+wY8=0c1d2e3f4a5b6c7d';
const PASSWORD = 'correct horse battery staple';

const forms = (key: string) => ({
  plain: key,
  url: encodeURIComponent(key),
  form: new URLSearchParams({ v: key }).toString().slice(2),
  base64: Buffer.from(key).toString('base64'),
  base64url: Buffer.from(key).toString('base64url'),
  json: JSON.stringify(key).slice(1, -1),
});
const needles = [...Object.values(forms(SCORING_KEY)), ...Object.values(forms(AGENT_KEY))];
/** The needles found in `text` (none, we hope), with where. */
const leaks = (where: string, text: string) =>
  needles.filter((n) => text.includes(n)).map((n) => `${where}: ${n}`);

let scoring: ScoringApi;
let agents: AgentApi;
let server: ServeProcess;
let dir: string;
let storeDir: string;
/** Every response body the API gave during the runs, with its request. */
const bodies: { what: string; status: number; text: string }[] = [];
let cookie = '';
let csrf = '';

// 120 candidates; a few the scoring API refuses (422), a few it always answers with a 500 that echoes
// the key (so some row surely ends with that body), a few whose agent ends `error` (the failed poll).
const mark = (i: number) =>
  i % 20 === 3 ? ' (unscorable)' : i % 20 === 7 ? ' (model error)' : i % 10 === 5 ? ' (broken)' : '';
const candidates = generateCandidates(120, 7).map((c, i) => ({ id: c.id, headline: c.headline + mark(i) }));

async function api(what: string, method: string, url: string, payload?: unknown) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: {
      cookie,
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
  });
  const text = await res.text();
  bodies.push({ what, status: res.status, text });
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  if (!existsSync(path.join(repoRoot, 'dist', 'server', 'main.js')))
    throw new Error('dist/ is missing: run "npm test" (it builds first) or "npm run build"');
  scoring = await ScoringApi.start({
    keys: [SCORING_KEY],
    limit: 20,
    windowMs: 500,
    faultRate: 0.25,
    stallMs: 1_500,
  });
  agents = await AgentApi.start({ keys: [AGENT_KEY], runMs: 30, faultRate: 0.2, stallMs: 1_500 });
  dir = await createEnrichProject(
    { a: candidates },
    {
      batch: 20,
      concurrency: 8,
      // Above the API's 20 per 500 ms on purpose: the API answers 429s. Not far above: its window
      // counts the calls it refuses too, so at 3× its limit (60) nearly every call was refused and, now
      // and then, each of a row's attempts (the '(unscorable)' rows' too, so no 422 was ever seen).
      rateLimit: { calls: 30, per: '500ms' },
      timeout: '250ms',
      retries: 3,
      backoff: '10ms',
      maxBackoff: '200ms',
    },
  );
  writeFileSync(
    path.join(dir, 'pipelines', 'agent_a.yaml'),
    agentPipelineYaml('a', {
      interval: '10ms',
      maxInterval: '40ms',
      pollTimeout: '2s',
      timeout: '250ms',
      retries: 1,
      concurrency: 4,
    }),
  );
  storeDir = path.join(dir, 'meta');
  const store = await openStore({ kind: 'sqlite', file: path.join(storeDir, 'meta.sqlite') });
  const accounts = new AccountsService(store);
  await accounts.createOrganisation('sourcex', 'SourceX', CLI_CONTEXT);
  await accounts.createUser(
    { email: 'ann@sourcex.test', password: PASSWORD, organisation: 'sourcex', role: 'admin' },
    CLI_CONTEXT,
  );
  await store.close();
  server = await startServe([dir], {
    TRELLIS_SESSION_SECRET: TEST_SECRET,
    TRELLIS_DATA_DIR: storeDir,
    LOG_LEVEL: 'trace',
    SCORING_API_URL: scoring.url,
    SCORING_API_KEY: SCORING_KEY,
    AGENT_API_URL: agents.url,
    AGENT_API_KEY: AGENT_KEY,
  });
  const login = await fetch(`${server.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ann@sourcex.test', password: PASSWORD }),
  });
  expect(login.status).toBe(200);
  csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
  cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await scoring?.close();
  await agents?.close();
});

/** Starts a run, follows it to its end (reading its summary and every log page), returns its summary. */
async function runToEnd(pipeline: string) {
  const started = await api(`start ${pipeline}`, 'POST', `/api/v1/pipelines/${pipeline}/runs`, {});
  expect(started.status, started.text).toBe(202);
  const id = String(started.json()['id']);
  // A second start while it runs: the 409's body is an error body too.
  await api(`start ${pipeline} again`, 'POST', `/api/v1/pipelines/${pipeline}/runs`, {});
  const summary = await until(
    async () => {
      await new Promise((r) => setTimeout(r, 200));
      const r = await api(`run ${pipeline}`, 'GET', `/api/v1/runs/${id}`);
      const run = r.json();
      return ['succeeded', 'failed', 'cancelled'].includes(String(run['status'])) ? run : undefined;
    },
    90_000,
    `the end of a ${pipeline} run`,
  );
  let after: number | null = 0;
  const lines: string[] = [];
  while (after !== null) {
    const page = await api(`logs ${pipeline}`, 'GET', `/api/v1/runs/${id}/logs?after=${after}&limit=1000`);
    const body = page.json() as { lines: { message: string }[]; nextAfter: number | null };
    lines.push(...body.lines.map((l) => l.message));
    after = body.nextAfter;
  }
  return { summary, lines };
}

async function table(name: string) {
  const instance = await DuckDBInstance.create(path.join(dir, 'data', 'a.duckdb'), {
    access_mode: 'READ_ONLY',
  });
  const conn = await instance.connect();
  const rows = (
    await conn.runAndReadAll(`SELECT id, status, error FROM ${name} ORDER BY id`)
  ).getRowObjectsJS();
  conn.closeSync();
  instance.closeSync();
  return rows;
}

describe('the API keys never leave a run', () => {
  test('runs with 500s echoing the key, 429s, timeouts and failed polls: no key in logs, run logs, error bodies, audit, /metrics or files', async () => {
    const screen = await runToEnd('screen_a');
    const agent = await runToEnd('agent_a');
    // A re-run over the failed rows' pipeline (nothing pending: it reports them skipped).
    const again = await runToEnd('screen_a');
    for (const r of [screen, agent, again]) expect(r.lines.length).toBeGreaterThan(0);

    // Error bodies: an unknown run, another pipeline, invalid inputs, a cancel of a finished run.
    await api('unknown run', 'GET', '/api/v1/runs/00000000-0000-4000-8000-000000000000');
    await api('unknown pipeline', 'POST', '/api/v1/pipelines/nope/runs', {});
    await api('bad inputs', 'POST', '/api/v1/pipelines/screen_a/runs', { inputs: { note: 'x' } });
    await api('run list', 'GET', '/api/v1/pipelines/screen_a/runs');
    await api('pipelines', 'GET', '/api/v1/pipelines');
    const audit = await api('audit', 'GET', '/api/v1/audit');
    expect(audit.status, audit.text).toBe(200);
    const csv = await api('audit csv', 'GET', '/api/v1/audit.csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('screen_a');
    const metrics = await api('metrics', 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    await server.stop();

    // The stand-ins did fail as asked: the redaction had work to do.
    expect(scoring.stats.faults).toBeGreaterThan(0);
    expect(scoring.stats.throttled).toBeGreaterThan(0);
    expect(scoring.stats.unscorable).toBeGreaterThan(0);
    expect(agents.stats.faults).toBeGreaterThan(0);
    const screening = await table('screening');
    const searches = await table('searches');
    expect(screening).toHaveLength(candidates.length);
    const failedErrors = [...screening, ...searches]
      .filter((r) => r['status'] === 'failed')
      .map((r) => String(r['error']));
    expect(failedErrors.some((e) => e.includes('HTTP 422'))).toBe(true);
    expect(searches.some((r) => r['status'] === 'failed')).toBe(true);
    // The key really came back to the pipeline in 500 bodies, so finding it nowhere above means
    // something. When such a 500 was the last straw for a row (not always: under load a row's last
    // attempt is often a 429), its stored error and log show the key redacted.
    expect(scoring.stats.keyEchoes).toBeGreaterThan(0);
    const everything = [
      server.stdout(),
      server.stderr(),
      ...bodies.map((b) => b.text),
      ...[screen, agent, again].flatMap((r) => r.lines),
      ...failedErrors,
    ].join('\n');
    if (failedErrors.some((e) => e.includes('HTTP 500'))) expect(everything).toContain('[secret ');

    const found = [
      ...leaks('server stdout', server.stdout()),
      ...leaks('server stderr', server.stderr()),
      ...bodies.flatMap((b) => leaks(`${b.what} (${b.status})`, b.text)),
      ...[screen, agent, again].flatMap((r, i) => leaks(`run log ${i}`, r.lines.join('\n'))),
      ...failedErrors.flatMap((e) => leaks('a row error', e)),
    ];
    for (const folder of [path.join(dir, 'data'), storeDir])
      for (const f of readdirSync(folder)) {
        const bytes = readFileSync(path.join(folder, f));
        for (const n of needles) if (bytes.includes(n)) found.push(`${f}: ${n}`);
      }
    expect(found).toEqual([]);
    // The grep read a server log at trace level that carried the runs' own lines and its warnings.
    expect(server.stdout()).toContain('rows to enrich');
    expect(server.stdout()).toMatch(/"level":40/);
  }, 240_000);
});
