import { isResponseSerializationError, serializerCompiler } from '@fastify/type-provider-zod';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  CACHE_RESULTS,
  COLUMN_ROLES,
  COLUMN_TYPES,
  VALUE_FORMATS,
  widgetDataResponse,
} from '../../../contract/index.js';
import { serializeWidgetData } from './widget-data.serializer.js';

/** What the route wrote before: the zod type provider's serializer for the 200 schema. */
const zodSerialize = serializerCompiler({
  schema: widgetDataResponse,
  method: 'POST',
  url: '/w',
  httpStatus: '200',
} as unknown as Parameters<typeof serializerCompiler>[0]);
const ours = (data: unknown) => serializeWidgetData(data, 'POST', '/w');

const cell = fc.oneof(
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const body = fc.record(
  {
    widget: fc.string(),
    columns: fc.array(
      fc.record(
        {
          key: fc.string(),
          label: fc.string(),
          type: fc.constantFrom(...COLUMN_TYPES),
          role: fc.constantFrom(...COLUMN_ROLES),
          format: fc.constantFrom(...VALUE_FORMATS),
        },
        { requiredKeys: ['key', 'label', 'type', 'role'] },
      ),
      { maxLength: 4 },
    ),
    rows: fc.array(fc.array(cell, { maxLength: 4 }), { maxLength: 6 }),
    total: fc.integer(),
    page: fc.record({ offset: fc.nat(), limit: fc.nat() }),
    sort: fc.record({ column: fc.string({ maxLength: 120 }), direction: fc.constantFrom('asc', 'desc') }),
    meta: fc.record(
      {
        queryMs: fc.double({ noNaN: true, noDefaultInfinity: true }),
        waitMs: fc.double({ noNaN: true, noDefaultInfinity: true }),
        rowCount: fc.nat(),
        asOf: fc.string(),
        cache: fc.constantFrom(...CACHE_RESULTS),
        stale: fc.boolean(),
        description: fc.string(),
      },
      { requiredKeys: ['queryMs', 'rowCount', 'asOf', 'cache', 'stale'] },
    ),
    // Not in the schema: must be left out, as the schema's allow-list did.
    secret: fc.string(),
  },
  { requiredKeys: ['widget', 'columns', 'rows', 'meta'] },
);

/** Either the text written or the fact that serialization was refused. */
function outcome(serialize: (data: unknown) => string, data: unknown): string {
  try {
    return serialize(data);
  } catch (err) {
    return isResponseSerializationError(err) ? 'refused' : `other: ${(err as Error).message}`;
  }
}

describe('widget data serializer', () => {
  test('writes exactly what the zod serializer wrote, for any body (fields in any order)', () => {
    let written = 0;
    fc.assert(
      fc.property(body, fc.boolean(), (b, reversed) => {
        const data = reversed ? Object.fromEntries(Object.entries(b).reverse()) : b;
        const expected = outcome(zodSerialize, data);
        if (expected !== 'refused') written++;
        expect(outcome(ours, data)).toBe(expected);
        expect(outcome(ours, data)).toBe(expected); // again: rows and body from memory
        // The same rows with another envelope is checked afresh.
        const other = { ...data, meta: { ...b.meta, cache: 'maybe' } };
        expect(outcome(ours, other)).toBe('refused');
      }),
      { numRuns: 500 },
    );
    // Most generated bodies are valid (the sort column may be too long), so the texts were compared.
    expect(written).toBeGreaterThan(250);
  });

  test('a known body: schema order, optional fields absent, unknown fields dropped', () => {
    const data = {
      meta: { stale: false, cache: 'hit', asOf: '2026-12-02T00:00:00.000Z', rowCount: 1, queryMs: 0 },
      rows: [[1, 'a', null, true]],
      columns: [{ role: 'measure', type: 'number', label: 'N', key: 'n' }],
      widget: 'kpi',
      leaked: 'password',
    };
    const text = ours(data);
    expect(text).toBe(
      '{"widget":"kpi","columns":[{"key":"n","label":"N","type":"number","role":"measure"}],"rows":[[1,"a",null,true]],"meta":{"queryMs":0,"rowCount":1,"asOf":"2026-12-02T00:00:00.000Z","cache":"hit","stale":false}}',
    );
    expect(text).toBe(zodSerialize(data));
  });

  test('bad cells and bad envelopes are refused, also when the rows were served before', () => {
    const rows = [[1]];
    const good = {
      widget: 'w',
      columns: [],
      rows,
      meta: { queryMs: 0, rowCount: 1, asOf: 'x', cache: 'hit', stale: false },
    };
    expect(outcome(ours, good)).toBe(zodSerialize(good));
    expect(outcome(ours, { ...good, rows: [[{ an: 'object' }]] })).toBe('refused');
    expect(outcome(ours, { ...good, rows: 'nope' })).toBe('refused');
    expect(outcome(ours, { ...good, meta: { ...good.meta, cache: 'maybe' } })).toBe('refused');
    expect(outcome(ours, { ...good, total: 1.5 })).toBe('refused');
    expect(outcome(ours, null)).toBe('refused');
  });
});
