import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { vi } from 'vitest';

/**
 * Helpers for component tests (*.test.tsx). The server's side of the HTTP boundary is a function
 * of the request (method, URL, JSON body) that the test writes; everything in the browser (ApiClient,
 * TanStack Query, React, the router on the History API) is the real code.
 */
export interface ServedRequest {
  method: string;
  url: URL;
  body: unknown;
}

export function serveApi(handler: (request: ServedRequest) => { status?: number; body: unknown }) {
  const requests: ServedRequest[] = [];
  vi.stubGlobal('fetch', (input: string, init?: RequestInit) => {
    const request: ServedRequest = {
      method: init?.method ?? 'GET',
      url: new URL(input, window.location.origin),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(request);
    const { status = 200, body } = handler(request);
    return Promise.resolve(
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    );
  });
  return requests;
}

/** Renders inside a fresh QueryClient (no retries: a failure shows at once). */
export function renderWithQueryClient(ui: ReactNode) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return {
    queryClient,
    ...render(<QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>),
  };
}
