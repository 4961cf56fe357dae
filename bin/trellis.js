#!/usr/bin/env node
// DuckDB runs queries on the libuv thread pool; give it room beside file and DNS work. This must be
// set before anything touches the pool, which is why it lives in the entry file.
process.env.UV_THREADPOOL_SIZE ??= '8';
const { main } = await import('../dist/server/main.js');
const code = await main(process.argv.slice(2), process.env);
if (code >= 0) process.exitCode = code;
