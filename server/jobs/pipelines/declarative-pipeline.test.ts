import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { recordingContext, silentLogger } from '../../../test/pipeline-context.js';
import { queryFile } from '../../../test/pipeline-fixture.js';
import { loadProject } from '../../config/project/load-project.js';
import { createPipelineRunner } from './pipeline-runner.js';

// A pipeline written only in YAML (field paths, no transform) against a small local API that pages
// by offset (several pages in flight) or by Link headers.
const ISSUES = 237;
const issue = (i: number) => ({
  id: 1000 + i,
  title: `Issue ${i}`,
  created_at: `2024-0${1 + (i % 9)}-1${i % 10}T12:00:00Z`,
  user: { login: `user${i % 5}` },
  labels: Array.from({ length: i % 4 }, (_, j) => ({ name: `label-${j}` })),
});

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

async function api(): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.search);
    const link = url.searchParams.get('cursor');
    const offset = link !== null ? Number(link) : Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const items = Array.from({ length: Math.max(0, Math.min(limit, ISSUES - offset)) }, (_, k) =>
      issue(offset + k),
    );
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (url.pathname === '/linked' && offset + limit < ISSUES)
      headers['link'] = `</linked?cursor=${offset + limit}&limit=${limit}>; rel="next"`;
    res.writeHead(200, headers).end(JSON.stringify(url.pathname === '/linked' ? items : { data: items }));
  });
  await new Promise<void>((r) => (server as Server).listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${((server as Server).address() as AddressInfo).port}`, requests };
}

const pipelineYaml = (http: string) => `title: Issues
organisation: acme
type: http
target: main
tenant_column: org
http:
  url: http://127.0.0.1:1/never
  url_env: ISSUES_URL
${http}
map:
  rows:
    - table: issues
      fields: { id: id, title: title, created: created_at, author: user.login }
    - table: issue_labels
      for_each: labels
      fields: { issue_id: $.id, label: name }
tables:
  issues:
    key: [id]
    columns: { id: BIGINT, title: VARCHAR, created: TIMESTAMP, author: VARCHAR }
  issue_labels:
    key: [issue_id]
    columns: { issue_id: BIGINT, label: VARCHAR }
`;

async function run(http: string, url: string) {
  const mini = await createMiniProject();
  mkdirSync(path.join(mini.dir, 'pipelines'));
  writeFileSync(path.join(mini.dir, 'pipelines', 'issues.yaml'), pipelineYaml(http));
  const loaded = await loadProject(mini.dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const runner = createPipelineRunner({
    project: loaded.project,
    environment: { ISSUES_URL: url },
    logger: silentLogger,
  });
  const result = await runner.run('issues', recordingContext());
  return { db: mini.db, result };
}

const labels = Array.from({ length: ISSUES }, (_, i) => i % 4).reduce((a, b) => a + b, 0);

async function check(db: string) {
  const [issues] = await queryFile(
    db,
    `SELECT count(*) AS n, count(DISTINCT id) AS d, min(created)::VARCHAR AS first FROM issues WHERE org = 'acme'`,
  );
  expect(Number(issues?.['n'])).toBe(ISSUES);
  expect(Number(issues?.['d'])).toBe(ISSUES);
  const [l] = await queryFile(db, `SELECT count(*) AS n FROM issue_labels WHERE org = 'acme'`);
  expect(Number(l?.['n'])).toBe(labels);
  expect(
    await queryFile(db, `SELECT title, author, created::VARCHAR AS created FROM issues WHERE id = 1007`),
  ).toEqual([{ title: 'Issue 7', author: 'user2', created: '2024-08-17 12:00:00' }]);
}

describe('a declarative http pipeline', () => {
  it('pages by offset with three pages in flight and writes every item once', async () => {
    const { url, requests } = await api();
    const { db, result } = await run(
      `  pagination: { type: offset, param: offset, limit_param: limit, limit: 20 }
  items: data
  concurrency: 3`,
      `${url}/issues`,
    );
    expect(result.outcome).toBe('succeeded');
    await check(db);
    // 12 pages hold items; the short 12th ends the listing (pages fetched ahead of it are dropped).
    const offsets = requests.map((q) => Number(new URLSearchParams(q).get('offset')));
    expect(offsets.slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, i) => i * 20));
    expect(Math.max(...offsets)).toBeLessThanOrEqual(13 * 20);
  });

  it('follows Link headers', async () => {
    const { url, requests } = await api();
    const { db, result } = await run(
      `  params: { limit: 50 }
  pagination: { type: link }
  items: $`,
      `${url}/linked`,
    );
    expect(result.outcome).toBe('succeeded');
    await check(db);
    expect(requests).toEqual([
      '?limit=50',
      '?cursor=50&limit=50',
      '?cursor=100&limit=50',
      '?cursor=150&limit=50',
      '?cursor=200&limit=50',
    ]);
  });
});
