import Fastify from 'fastify';

/**
 * The framework floor: a bare Fastify hello-world with the same Node, the same build and the same
 * pinning as the Trellis server, so `framework-floor` compares request handling and nothing else.
 * Run as `node dist/bench/lib/hello-server.js` with PORT set.
 */
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const port = Number(process.env.PORT ?? 0);
await app.listen({ port, host: '127.0.0.1' });
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
