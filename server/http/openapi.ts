import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform } from '@fastify/type-provider-zod';
import { appWidePlugin } from './app-wide-plugin.js';

/**
 * The OpenAPI document of every route registered after this plugin, built from their zod schemas,
 * served at /api/v1/openapi.json.
 */
export const openApi = appWidePlugin(async (app) => {
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Trellis API',
        version: '1.0.0',
        description: 'Dashboards, widget data and filter options. Errors: docs/errors.md.',
      },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/v1/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
});
