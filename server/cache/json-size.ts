/**
 * Bytes of a value as UTF-8 JSON: what Redis stores and close to what a result costs on the wire. A
 * default `sizeOf` for `CachedQueries`; callers that already know a result's size (engines measure
 * rows against maxBytes) should pass that instead and skip the serialisation.
 */
export function jsonBytes(value: unknown): number {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('value is not JSON-serialisable');
  return Buffer.byteLength(json);
}
