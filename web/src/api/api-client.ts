import type {
  DashboardDefinition,
  DashboardListResponse,
  FilterOptionsResponse,
  FilterValues,
  SortSpec,
  WidgetDataResponse,
} from '../../../contract/index.js';
import { ApiError, toApiError } from './api-error.js';

/** What a widget-data call sends; page and sort only for tables. */
export interface WidgetDataParams {
  readonly filters: FilterValues;
  readonly page?: { readonly offset: number; readonly limit: number } | undefined;
  readonly sort?: SortSpec | undefined;
  /** A drill-down path: first days of the chosen periods (widgets with `drill`). */
  readonly drill?: readonly string[] | undefined;
  /** "Refresh now" (editors and admins; the server ignores it for viewers): read the source again. */
  readonly refresh?: boolean | undefined;
}

export interface DrillRowsParams {
  readonly filters: FilterValues;
  /** The clicked mark's values: result column → value (only the widget's own dimensions). */
  readonly mark: Readonly<Record<string, string>>;
  readonly page: { readonly offset: number; readonly limit: number };
  readonly drill?: readonly string[] | undefined;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A typed client for /api/v1. Every call takes the AbortSignal TanStack Query hands out, so a
 * request the user no longer needs (filters changed, page left) is cancelled on the wire and the
 * server can stop the query too.
 */
export class ApiClient {
  constructor(
    private readonly baseUrl = '/api/v1',
    private readonly fetchImpl: FetchLike = (input, init) => globalThis.fetch(input, init),
  ) {}

  listDashboards(signal?: AbortSignal): Promise<DashboardListResponse> {
    return this.request('GET', '/dashboards', undefined, signal);
  }

  getDashboard(dashboardId: string, signal?: AbortSignal): Promise<DashboardDefinition> {
    return this.request('GET', `/dashboards/${seg(dashboardId)}`, undefined, signal);
  }

  /** The rows behind one mark of a widget that declares `drill.rows` (its values keyed by result column). */
  drillRows(
    dashboardId: string,
    widgetId: string,
    params: DrillRowsParams,
    signal?: AbortSignal,
  ): Promise<WidgetDataResponse> {
    return this.request(
      'POST',
      `/dashboards/${seg(dashboardId)}/widgets/${seg(widgetId)}/rows`,
      {
        filters: params.filters,
        mark: params.mark,
        page: params.page,
        ...(params.drill?.length ? { drill: params.drill } : {}),
      },
      signal,
    );
  }

  widgetData(
    dashboardId: string,
    widgetId: string,
    params: WidgetDataParams,
    signal?: AbortSignal,
  ): Promise<WidgetDataResponse> {
    const body: Record<string, unknown> = { filters: params.filters };
    if (params.page) body.page = params.page;
    if (params.sort) body.sort = params.sort;
    if (params.drill?.length) body.drill = params.drill;
    if (params.refresh) body.refresh = true;
    return this.request(
      'POST',
      `/dashboards/${seg(dashboardId)}/widgets/${seg(widgetId)}/data`,
      body,
      signal,
    );
  }

  filterOptions(
    dashboardId: string,
    filterId: string,
    params: { search?: string; limit?: number },
    signal?: AbortSignal,
  ): Promise<FilterOptionsResponse> {
    const query = new URLSearchParams();
    if (params.search) query.set('search', params.search);
    if (params.limit !== undefined) query.set('limit', String(params.limit));
    const qs = query.toString();
    return this.request(
      'GET',
      `/dashboards/${seg(dashboardId)}/filters/${seg(filterId)}/options${qs ? `?${qs}` : ''}`,
      undefined,
      signal,
    );
  }

  /** The dashboard's update stream (server-sent events), for EventSource. */
  eventsUrl(dashboardId: string): string {
    return `${this.baseUrl}/dashboards/${seg(dashboardId)}/events`;
  }

  /** Another server-sent event stream of /api/v1 (the run events), for EventSource. */
  streamUrl(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /**
   * Any other /api/v1 call, for the typed per-feature modules (accounts-api.ts): the same request
   * core, errors and headers as the calls above. A 204 answers undefined.
   */
  send<T>(method: HttpMethod, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    return this.request(method, path, body, signal);
  }

  private async request<T>(
    method: HttpMethod,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: requestHeaders(method, body !== undefined),
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ?? null,
        credentials: 'same-origin',
      });
    } catch (err) {
      // An abort is not a failure to show: TanStack Query expects the AbortError itself.
      if (signal?.aborted) throw err;
      throw new ApiError({
        code: 'NETWORK_ERROR',
        message: 'The server could not be reached. Check your connection and try again.',
        status: 0,
      });
    }
    const parsed = await readJson(response);
    if (!response.ok) throw toApiError(response.status, parsed, response.headers.get('x-request-id'));
    if (response.status === 204) return undefined as T;
    if (parsed === undefined)
      throw new ApiError({
        code: 'BAD_RESPONSE',
        message: 'The server sent a response that is not JSON.',
        status: response.status,
        requestId: response.headers.get('x-request-id') ?? undefined,
      });
    return parsed as T;
  }
}

let requestLanguage: string | undefined;

/**
 * The UI's language, sent as Accept-Language on every call so the server titles dashboards,
 * widgets and filters in it (project files may translate them). Set by app/i18n when it switches.
 */
export function setRequestLanguage(locale: string | undefined): void {
  requestLanguage = locale;
}

/**
 * JSON headers, plus the CSRF token on state-changing requests: the server sets it in a readable
 * cookie at sign-in and refuses a cookie-authenticated POST/PUT/PATCH/DELETE without it.
 */
function requestHeaders(method: string, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (requestLanguage) headers['accept-language'] = requestLanguage;
  if (hasBody) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const token = readCsrfCookie();
    if (token) headers['x-csrf-token'] = token;
  }
  return headers;
}

/** `__Host-trellis_csrf` over https, `trellis_csrf` over http (see server/http/csrf.ts). */
export function readCsrfCookie(cookies: string = globalThis.document?.cookie ?? ''): string | undefined {
  for (const pair of cookies.split(';')) {
    const [name, ...rest] = pair.trim().split('=');
    if (name === '__Host-trellis_csrf' || name === 'trellis_csrf') return rest.join('=') || undefined;
  }
  return undefined;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON (a proxy's HTML error page, say): the caller reports it with the status instead.
    return undefined;
  }
}

/** Ids come from the server, but they are still path segments: encode them. */
function seg(id: string): string {
  return encodeURIComponent(id);
}

export const api = new ApiClient();
