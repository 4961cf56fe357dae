import type { FastifyPluginAsyncZod } from '@fastify/type-provider-zod';
import { errorBody } from '../../../contract/index.js';
import { principalOf } from '../../http/authenticate.js';
import { serveEventStream, type EventStream } from '../../http/event-stream.js';
import type { DevReloadHub } from '../../services/dev-reload.service.js';
import type { AppServices } from '../../app-services.js';

/** What these routes use of the app's services (the composition root: app-services.ts). */
type Deps = Pick<AppServices, 'streamQuotas'>;

/**
 * `trellis dev` only (never registered by `serve`): the project's status as server-sent events named
 * `project` — on open, and after every re-check of the files. Members only, like the dashboards it
 * reloads; the problems name project files and lines, which every member of a dev server may see.
 */
export function devEventsRoutes(services: Deps, hub: DevReloadHub): FastifyPluginAsyncZod {
  return async (app) => {
    // These streams outlive the app that opened them: a swap closes that app, and a stream ended
    // with it would leave the page deaf for the browser's reconnect delay (5 s), missing the next
    // save. They depend on the hub alone; the dev server's own close ends their connections.
    app.get('/api/v1/dev/events', {
      config: { permission: 'dashboards:read' },
      schema: {
        tags: ['dev'],
        summary: 'trellis dev: server-sent `project` events (version, file:line problems)',
        response: { 401: errorBody, 403: errorBody, 503: errorBody },
      },
      handler: async (request, reply) => {
        let opened: EventStream | undefined;
        serveEventStream(
          request,
          reply,
          (stream) => {
            opened = stream;
            return hub.subscribe((status) => stream.send('project', status));
          },
          { of: services.streamQuotas.dashboards, holder: principalOf(request).user.id },
        );
        // After the headers: the status as it is now, so a page that reconnects learns what it missed.
        opened?.send('project', hub.status);
      },
    });
  };
}
