import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { loadVerifiedProject } from '../../cli/load-verified-project.js';
import { closeEngines } from '../../query/engines/index.js';
import { loadProject } from './load-project.js';

async function projectWith(files: Record<string, string>) {
  const mini = await createMiniProject();
  mkdirSync(path.join(mini.dir, 'pipelines'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(mini.dir, file), text);
  return { dir: mini.dir, result: await loadProject(mini.dir) };
}

const SCREEN = `title: Screen items
organisation: acme
type: enrich
target: main
lock: { name: scorer, wait: fail, ttl: 10s }
enrich:
  from: { table: items, columns: [id, name] }
  request:
    url: https://api.example.com/v1/items/\${row.id}/score
    headers: { x-api-key: '\${env:SCORING_API_KEY}' }
    body: { name: '\${row.name}' }
  rate_limit: { name: scoring, calls: 60, per: 1m }
  result: { score: score }
tables:
  scores:
    key: [id]
    columns: { id: BIGINT, score: DOUBLE }
`;

describe('enrich pipelines', () => {
  it('load with their request, rate limit, lock, secrets and the status columns', async () => {
    const { result } = await projectWith({ 'pipelines/screen.yaml': SCREEN });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const p = result.project.pipelines.get('screen');
    expect(p?.secrets).toEqual(['SCORING_API_KEY']);
    expect(p?.lock).toEqual({ name: 'scorer', wait: 'fail', ttlMs: 10_000, maxWaitMs: 3_600_000 });
    expect(p?.enrich?.rateLimit).toEqual({ name: 'scoring', calls: 60, perMs: 60_000, burst: 1 });
    expect(p?.enrich?.concurrency).toBe(4);
    expect(p?.tables[0]?.columns.map((c) => c.name)).toEqual([
      'id',
      'score',
      'status',
      'error',
      'attempts',
      'enriched_at',
    ]);
  });

  it('read a dataset on the target; an unknown one, a column it lacks or a table and a dataset are refused', async () => {
    const overDataset = SCREEN.replace('from: { table: items,', 'from: { dataset: items,');
    const { result } = await projectWith({ 'pipelines/screen.yaml': overDataset });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.project.pipelines.get('screen')?.enrich?.from).toEqual({
      table: 'items',
      dataset: 'items',
      columns: ['id', 'name'],
    });
    const problems = async (text: string) => {
      const r = (await projectWith({ 'pipelines/screen.yaml': text })).result;
      return r.ok ? '' : r.problems.map((p) => p.message).join('\n');
    };
    expect(await problems(overDataset.replace('dataset: items', 'dataset: nowhere'))).toMatch(
      /unknown dataset "nowhere"/,
    );
    expect(await problems(overDataset.replace('columns: [id, name]', 'columns: [id, name, weight]'))).toMatch(
      /"weight" is not a column of dataset "items"/,
    );
    expect(await problems(overDataset.replace('dataset: items,', 'dataset: items, table: items,'))).toMatch(
      /either a table or a dataset/,
    );
    expect(await problems(SCREEN.replace('  scores:', '  api_usage:'))).toMatch(
      /"api_usage" is the usage table every enrichment writes/,
    );
  });

  it('report templates that could move the host, unknown columns and a declared status column', async () => {
    const bad = SCREEN.replace(
      'https://api.example.com/v1/items/${row.id}/score',
      'https://${row.name}/score',
    )
      .replace(
        "body: { name: '${row.name}' }",
        "body: { name: '${row.colour}' }\n    query: { x: '${secret}' }",
      )
      .replace(
        'columns: { id: BIGINT, score: DOUBLE }',
        'columns: { id: BIGINT, score: DOUBLE, status: VARCHAR }',
      )
      .replace('concurrency', 'x');
    const { result } = await projectWith({
      'pipelines/screen.yaml': bad.replace('request:', 'concurrency: 64\n  request:'),
    });
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
    expect(messages.join('\n')).toMatch(/concurrency/);
    const again = await projectWith({ 'pipelines/screen.yaml': bad });
    const text = again.result.ok
      ? ''
      : again.result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n');
    expect(text).toMatch(
      /pipelines\/screen.yaml:\d+: the scheme and host of a request come from the project file/,
    );
    expect(text).toMatch(/"colour" is not among enrich.from.columns/);
    expect(text).toMatch(/"\$\{secret\}" is not a template/);
    expect(text).toMatch(/"status" is filled by the enrichment/);
  });

  it('launch-then-poll: poll and fetch load; ${launch.x} only after the launch; fetch needs poll', async () => {
    const poll = `  poll:
    request:
      method: GET
      url: https://api.example.com/v1/jobs/\${launch.jobId}
      headers: { x-api-key: '\${env:SCORING_API_KEY}' }
    status: state
    done: [finished]
    failed: [error, killed]
    interval: 2s
    max_interval: 20s
    timeout: 5m
  fetch:
    request: { method: GET, url: 'https://api.example.com/v1/jobs/\${launch.jobId}/result' }
  rate_limit:`;
    const { result } = await projectWith({
      'pipelines/screen.yaml': SCREEN.replace('  rate_limit:', poll),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const e = result.project.pipelines.get('screen')?.enrich;
    expect(e?.poll).toMatchObject({
      status: 'state',
      done: ['finished'],
      failed: ['error', 'killed'],
      intervalMs: 2_000,
      maxIntervalMs: 20_000,
      timeoutMs: 300_000,
    });
    expect(e?.poll?.request.method).toBe('GET');
    expect(e?.fetch?.url).toBe('https://api.example.com/v1/jobs/${launch.jobId}/result');

    const bad = SCREEN.replace("body: { name: '${row.name}' }", "body: { name: '${launch.jobId}' }").replace(
      '  rate_limit:',
      "  fetch:\n    request: { method: GET, url: 'https://api.example.com/r' }\n  rate_limit:",
    );
    const again = await projectWith({ 'pipelines/screen.yaml': bad });
    const text = again.result.ok
      ? ''
      : again.result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n');
    expect(text).toMatch(/\$\{launch.jobId\} is only available in the poll and fetch requests/);
    expect(text).toMatch(/`fetch:` follows `poll:`/);
  });

  it('declared inputs load as specs and may fill values; undeclared ones, hosts and bad defaults are problems', async () => {
    const withInputs = SCREEN.replace(
      'lock: { name: scorer, wait: fail, ttl: 10s }',
      `inputs:
  keywords: { type: text, required: true, max_length: 80, hint: Words to look for }
  role: { type: enum, values: [engineer, designer], default: engineer }
  ids: { type: keys, max_count: 50 }`,
    )
      .replace(
        'https://api.example.com/v1/items/${row.id}/score',
        'https://api.example.com/v1/${input.role}/${row.id}',
      )
      .replace(
        "body: { name: '${row.name}' }",
        "body: { name: '${row.name}', q: '${input.keywords}', ids: '${input.ids}' }",
      );
    const { result } = await projectWith({ 'pipelines/screen.yaml': withInputs });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.project.pipelines.get('screen')?.inputs).toEqual([
      {
        name: 'keywords',
        label: 'Keywords',
        hint: 'Words to look for',
        required: true,
        type: 'text',
        maxLength: 80,
        pattern: null,
        default: null,
      },
      {
        name: 'role',
        label: 'Role',
        hint: null,
        required: false,
        type: 'enum',
        values: ['engineer', 'designer'],
        default: 'engineer',
      },
      {
        name: 'ids',
        label: 'Ids',
        hint: null,
        required: false,
        type: 'keys',
        maxCount: 50,
        maxLength: 100,
        default: null,
      },
    ]);
    const bad = withInputs
      .replace('https://api.example.com/v1/${input.role}/${row.id}', 'https://${input.role}/v1/${row.id}')
      .replace("ids: '${input.ids}'", "ids: '${input.nope}'")
      .replace('default: engineer', 'default: manager')
      .replace('title: Screen items', "title: Screen items\nschedule: '0 3 * * *'");
    const again = await projectWith({ 'pipelines/screen.yaml': bad });
    const text = again.result.ok
      ? ''
      : again.result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n');
    expect(text).toMatch(/the scheme and host of a request come from the project file/);
    expect(text).toMatch(/\$\{input.nope\}: this pipeline declares no input "nope"/);
    expect(text).toMatch(/the default must be one of engineer, designer/);
    expect(text).toMatch(/a scheduled run has nobody to ask/);
  });

  it('a missing secret is a problem for `trellis check` (and a production start), on its line', async () => {
    const { dir } = await projectWith({ 'pipelines/screen.yaml': SCREEN });
    const missing = await loadVerifiedProject(dir, {}, { requireSecrets: true });
    expect(missing.ok).toBe(false);
    if (!missing.ok)
      expect(missing.problems).toEqual([
        {
          file: 'pipelines/screen.yaml',
          line: 10,
          message: expect.stringContaining('SCORING_API_KEY is not set') as unknown as string,
        },
      ]);
    const set = await loadVerifiedProject(dir, { SCORING_API_KEY: 'k' }, { requireSecrets: true });
    expect(set.ok).toBe(true);
    if (set.ok) await closeEngines(set.engines);
    const relaxed = await loadVerifiedProject(dir, {});
    expect(relaxed.ok).toBe(true);
    if (relaxed.ok) await closeEngines(relaxed.engines);
  });
});
