import type { FastifyInstance } from 'fastify';
import { isPermission, type Permission, type RouteConfig } from '../policies/permissions.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RouteConfig['permission'];
  }
}

export interface RouteInfo {
  readonly method: string;
  readonly url: string;
  readonly permission: Permission;
}

/**
 * A route without a declared permission is a build error, not a silent public endpoint. Every route
 * is listed with its permission in `routes` (tests enumerate them: routes-permissions.test.ts).
 */
export function installRoutePermissions(app: FastifyInstance, routes: RouteInfo[]): void {
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!isPermission(permission))
      throw new Error(`route ${methods.join(',')} ${route.url} declares no permission`);
    for (const method of methods) routes.push({ method, url: route.url, permission });
  });
}
