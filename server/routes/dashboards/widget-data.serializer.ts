import { ResponseSerializationError } from '@fastify/type-provider-zod';
import type { z } from 'zod';
import { widgetDataResponse } from '../../../contract/index.js';

/**
 * The widget-data response, byte for byte what the zod serializer writes (`JSON.stringify` of the
 * schema's encoded output, keys in schema order), but rows are checked and stringified once per
 * rows array rather than once per response, and a body repeated with the same rows (a cache hit
 * asked again) is written from memory once its envelope has been checked.
 *
 * Why: a cached result is served again and again as the same rows array (the memory cache hands out
 * the stored value), and checking every cell of it through zod on every hit was the largest single
 * cost of a cache hit after the socket (performance.md, framework-floor). Every envelope is checked
 * by the schema before it is first written, so the schema stays the allow-list of what leaves the
 * server.
 *
 * Rows arrays are never changed once a query has returned them (results are shared by every request
 * they are served to), which is what makes remembering their text by identity correct.
 */
const rowsSchema = widgetDataResponse.shape.rows;
const envelopeSchema = widgetDataResponse.omit({ rows: true });
const KEYS = Object.keys(widgetDataResponse.shape) as (keyof typeof widgetDataResponse.shape)[];
/** Per rows array: its text, and the last few whole bodies written with it (by envelope JSON). */
interface Written {
  readonly rowsJson: string;
  readonly bodies: Map<string, string>;
}
const written = new WeakMap<object, Written>();
/** Bodies remembered per rows array: a hit repeats one envelope (same `asOf`, `cache: hit`). */
const BODIES_PER_ROWS = 4;

export function serializeWidgetData(data: unknown, method: string, url: string): string {
  const rows = (data as { rows?: unknown } | null)?.rows;
  if (typeof rows !== 'object' || rows === null) {
    const checked = rowsSchema.safeEncode(rows as never);
    return fail(checked.error, method, url);
  }
  let known = written.get(rows);
  if (known === undefined) {
    const checked = rowsSchema.safeEncode(rows as never);
    if (!checked.success) return fail(checked.error, method, url);
    known = { rowsJson: JSON.stringify(checked.data), bodies: new Map() };
    written.set(rows, known);
  }
  // The same envelope (as JSON) with the same rows was checked and written before: write it again.
  // Equal JSON is equal for the schema too: the values JSON.stringify blurs (NaN, ±Infinity → null)
  // are invalid wherever they could appear in the envelope, and null is valid nowhere in it, so an
  // envelope that was refused never shares its JSON with one that was written. (Objects with toJSON,
  // such as Dates, would; the service builds none — its types say strings.)
  const identity = JSON.stringify({ ...(data as object), rows: 0 });
  const body = known.bodies.get(identity);
  if (body !== undefined) return body;
  const envelope = envelopeSchema.safeEncode(data as never);
  if (!envelope.success) return fail(envelope.error, method, url);
  const fields = envelope.data as Record<string, unknown>;
  let out = '{';
  for (const key of KEYS) {
    const text = key === 'rows' ? known.rowsJson : JSON.stringify(fields[key]);
    if (text === undefined) continue; // absent optional field: JSON.stringify leaves it out too
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${text}`;
  }
  out += '}';
  if (known.bodies.size >= BODIES_PER_ROWS) known.bodies.delete(known.bodies.keys().next().value as string);
  known.bodies.set(identity, out);
  return out;
}

function fail(cause: z.core.$ZodError | undefined, method: string, url: string): never {
  if (!cause) throw new Error(`widget data for ${method} ${url} failed its schema without an error`);
  throw new ResponseSerializationError(method, url, { cause });
}
