import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { negotiateLocale } from '../../../contract/locale.js';

/**
 * The built web app: hashed assets cached for a year, index.html never cached, and every other
 * GET of an app page (/d/*, /login, /account/*, /admin/*, /jobs, /exports, /invite, /forgot-password, /reset-password) answered with index.html so deep links load the app.
 */
export async function appShellRoutes(app: FastifyInstance, webRoot: string | undefined): Promise<void> {
  const index = webRoot ? path.join(webRoot, 'index.html') : undefined;
  if (!webRoot || !index || !existsSync(index)) {
    app.log.warn({ webRoot }, 'web app not built: serving the API only (run npm run build)');
    return;
  }
  await app.register(fastifyStatic, {
    root: webRoot,
    // Only sendFile: every route is declared below, each with its permission.
    serve: false,
    // Without this, send's own `public, max-age=0` overwrites the headers set below.
    cacheControl: false,
    setHeaders(res, filePath) {
      if (filePath.includes(`${path.sep}assets${path.sep}`))
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      else res.setHeader('cache-control', 'no-cache');
    },
  });
  app.get('/assets/*', { config: { permission: 'public' }, schema: { hide: true } }, (request, reply) => {
    const rel = (request.params as { '*': string })['*'];
    return reply.sendFile(path.posix.join('assets', rel));
  });
  for (const file of ['favicon.svg', 'robots.txt', 'theme-boot.js']) {
    if (existsSync(path.join(webRoot, file)))
      app.get(`/${file}`, { config: { permission: 'public' }, schema: { hide: true } }, (_request, reply) =>
        reply.sendFile(file),
      );
  }
  const indexPath = index;
  // <html lang> follows Accept-Language before anyone signs in, so the first paint, screen readers and
  // the app's first catalogue agree (the app then switches to the signed-in user's saved language).
  // Read per request (a few KB, in the OS cache) so a rebuilt app is never served a stale index.
  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    const html = await readFile(indexPath, 'utf8');
    const lang = negotiateLocale(request.headers['accept-language']);
    return reply
      .header('cache-control', 'no-cache')
      .header('vary', 'Accept-Language')
      .type('text/html; charset=utf-8')
      .send(html.replace(/<html lang="[^"]*"/, `<html lang="${lang}"`));
  };
  app.get('/', { config: { permission: 'public' }, schema: { hide: true } }, sendIndex);
  // The app's own pages (web/src/app/routing/routes.ts); the app checks the session and abilities itself.
  for (const url of [
    '/d/*',
    '/login',
    '/account/*',
    '/admin/*',
    '/jobs',
    '/exports',
    '/subscriptions',
    '/data',
    '/invite',
    '/forgot-password',
    '/reset-password',
    '/print/d/*',
  ])
    app.get(url, { config: { permission: 'public' }, schema: { hide: true } }, sendIndex);
}
