import { ApiClient } from './api-client.js';

/** One request the test client saw: `METHOD /path`, and its parsed JSON body. */
export interface RecordedCall {
  call: string;
  body: unknown;
}

/**
 * For tests of the api/ modules: a real ApiClient whose fetch answers from `respond` (the server's
 * side of the HTTP boundary) and records every request, so a test asserts what went on the wire.
 */
export function recordingClient(respond: (call: string) => Response) {
  const calls: RecordedCall[] = [];
  const client = new ApiClient('/api/v1', (url, init) => {
    const call = `${init?.method ?? 'GET'} ${url}`;
    calls.push({ call, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    return Promise.resolve(respond(call));
  });
  return { client, calls };
}

export const jsonResponse = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export const noContent = () => new Response(null, { status: 204 });
