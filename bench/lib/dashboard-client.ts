import type { DashboardDefinition } from '../../contract/index.js';
import type { HttpClient, Reply } from './http-client.js';

export const widgetPath = (dashboard: string, widget: string): string =>
  `/api/v1/dashboards/${dashboard}/widgets/${widget}/data`;

/** The data widgets of a dashboard, as the web app finds them (text widgets have no data). */
export async function dataWidgets(client: HttpClient, dashboard: string): Promise<string[]> {
  const reply = await client.get(`/api/v1/dashboards/${dashboard}`);
  if (reply.status !== 200)
    throw new Error(`GET dashboard ${dashboard}: ${reply.status} ${reply.body.slice(0, 200)}`);
  const def = JSON.parse(reply.body) as DashboardDefinition;
  return def.widgets.filter((w) => w.type !== 'text').map((w) => w.id);
}

export interface WidgetReply extends Reply {
  readonly widget: string;
}

/** What the web app does on a page load or a filter change: every widget's data, in parallel. */
export function loadWidgets(
  client: HttpClient,
  dashboard: string,
  widgets: readonly string[],
  filters: Record<string, unknown>,
): Promise<WidgetReply[]> {
  return Promise.all(
    widgets.map(async (widget) => ({
      widget,
      ...(await client.post(widgetPath(dashboard, widget), { filters })),
    })),
  );
}
