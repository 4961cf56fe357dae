import type { FastifyPluginAsync } from 'fastify';

/**
 * Marks a plugin as app-wide: its hooks apply to every route, not only to routes it registers itself.
 * This is what the fastify-plugin package does (the documented `skip-override` property), without a
 * dependency for one line.
 */
export function appWidePlugin<Options extends Record<string, unknown>>(
  plugin: FastifyPluginAsync<Options>,
): FastifyPluginAsync<Options> {
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
}
