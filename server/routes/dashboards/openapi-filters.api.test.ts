import { afterAll, beforeAll, expect, test } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { startApp, type TestApp } from '../../../test/app-harness.js';

let app: TestApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startApp((await createMiniProject()).dir));
});
afterAll(async () => close());

interface Schema {
  readonly title?: string;
  readonly type?: string;
  readonly oneOf?: Schema[];
  readonly properties?: Record<string, Schema>;
  readonly additionalProperties?: Schema | boolean;
  readonly minProperties?: number;
  readonly items?: Schema;
}

test('OpenAPI gives every filter type its value shape (oneOf, titled by type), not an untyped map', async () => {
  const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json() as {
    paths: Record<string, { post?: { requestBody: { content: Record<string, { schema: Schema }> } } }>;
  };
  const post = doc.paths['/api/v1/dashboards/{dashboard}/widgets/{widget}/data']?.post;
  const filters = post?.requestBody.content['application/json']?.schema.properties?.filters;
  const value = filters?.additionalProperties as Schema;
  const byTitle = new Map((value.oneOf ?? []).map((s) => [s.title, s]));
  expect([...byTitle.keys()]).toEqual(['multi_select', 'date_range', 'number_range', 'text']);
  expect(byTitle.get('multi_select')).toMatchObject({ type: 'array', items: { type: 'string' } });
  expect(byTitle.get('number_range')).toMatchObject({
    type: 'object',
    minProperties: 1,
    properties: { min: { type: 'number' }, max: { type: 'number' } },
    additionalProperties: false,
  });
  expect(Object.keys(byTitle.get('date_range')?.properties ?? {})).toEqual(['from', 'to']);
  expect(byTitle.get('text')).toMatchObject({ type: 'string' });
});

test('runtime checking stays per declared filter type: a number range for a date filter is refused', async () => {
  const { loginAs } = await import('../../../test/login-as.js');
  const as = await loginAs(app, { org: 'acme', role: 'viewer' });
  const r = await as.inject({
    method: 'POST',
    url: '/api/v1/dashboards/main/widgets/total/data',
    payload: { filters: { created: { min: 1 } } },
  });
  expect(r.statusCode).toBe(400);
  expect(r.json()).toMatchObject({ error: 'INVALID_FILTER_VALUE' });
});
