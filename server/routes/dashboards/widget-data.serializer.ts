import { ResponseSerializationError } from '@fastify/type-provider-zod';
import type { z } from 'zod';
import { widgetDataResponse } from '../../../contract/index.js';

/**
 * The widget-data response, byte for byte what the zod serializer writes (`JSON.stringify` of the
 * schema's encoded output, keys in schema order), but rows are checked and stringified once per
 * rows array rather than once per response.
 *
 * Why: a cached result is served again and again as the same rows array (the memory cache hands out
 * the stored value), and checking every cell of it through zod on every hit was the largest single
 * cost of a cache hit after the socket (performance.md, framework-floor). The rest of the body — the
 * envelope, small — is still checked by the schema on every response, so the schema stays the
 * allow-list of what leaves the server.
 *
 * Rows arrays are never changed once a query has returned them (results are shared by every request
 * they are served to), which is what makes remembering their text by identity correct.
 */
const rowsSchema = widgetDataResponse.shape.rows;
const envelopeSchema = widgetDataResponse.omit({ rows: true });
const KEYS = Object.keys(widgetDataResponse.shape) as (keyof typeof widgetDataResponse.shape)[];
const rowsText = new WeakMap<object, string>();

export function serializeWidgetData(data: unknown, method: string, url: string): string {
  const rows = (data as { rows?: unknown } | null)?.rows;
  if (typeof rows !== 'object' || rows === null) {
    const checked = rowsSchema.safeEncode(rows as never);
    return fail(checked.error, method, url);
  }
  let rowsJson = rowsText.get(rows);
  if (rowsJson === undefined) {
    const checked = rowsSchema.safeEncode(rows as never);
    if (!checked.success) return fail(checked.error, method, url);
    rowsJson = JSON.stringify(checked.data);
    rowsText.set(rows, rowsJson);
  }
  const envelope = envelopeSchema.safeEncode(data as never);
  if (!envelope.success) return fail(envelope.error, method, url);
  const fields = envelope.data as Record<string, unknown>;
  let out = '{';
  for (const key of KEYS) {
    const text = key === 'rows' ? rowsJson : JSON.stringify(fields[key]);
    if (text === undefined) continue; // absent optional field: JSON.stringify leaves it out too
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${text}`;
  }
  return out + '}';
}

function fail(cause: z.core.$ZodError | undefined, method: string, url: string): never {
  if (!cause) throw new Error(`widget data for ${method} ${url} failed its schema without an error`);
  throw new ResponseSerializationError(method, url, { cause });
}
