import { randomUUID } from 'node:crypto';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/**
 * A query of one string value, compiled to SQL once and then run with each value as its bound
 * parameter. Building and compiling a Kysely query costs more than SQLite takes to answer it; the
 * session and API-token lookups run on every authenticated request, so they are compiled once.
 * The value stays a bound parameter: `build` receives a marker, and the compiled query must bind it
 * exactly once (checked here), so the SQL text never depends on the value.
 */
export function compiledLookup<DB, O>(
  db: Kysely<DB>,
  build: (value: string) => Compilable<O>,
): (value: string) => Promise<O | undefined> {
  const marker = `lookup-marker-${randomUUID()}`;
  const compiled = build(marker).compile();
  const at: number[] = [];
  compiled.parameters.forEach((p, i) => {
    if (p === marker) at.push(i);
  });
  const index = at[0];
  if (at.length !== 1 || index === undefined)
    throw new Error(`a compiled lookup must bind its value exactly once (bound ${at.length} times)`);
  if (compiled.sql.includes(marker)) throw new Error('a compiled lookup must bind its value, not inline it');
  return async (value) => {
    const parameters = [...compiled.parameters];
    parameters[index] = value;
    const query: CompiledQuery<O> = { ...compiled, parameters };
    return (await db.executeQuery(query)).rows[0];
  };
}
