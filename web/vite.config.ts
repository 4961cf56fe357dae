import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(webDir, 'src', 'app', 'shell', 'main.tsx');

/** What the splitter's naming function is handed (rolldown's ChunkingContext, the part used here). */
interface ModuleGraph {
  getModuleInfo(id: string): { readonly importedIds: readonly string[] } | null;
}

/**
 * Whether a module is part of the first page: reached from the entry by static imports alone. Those
 * go into one chunk — left to itself the splitter cuts the first page into dozens of small chunks (a
 * module shared with a lazy page becomes a chunk of its own), each gzipped alone, which costs
 * kilobytes of the issue-14 budget. Lazy chunks import from it; it is loaded before them anyway.
 */
function firstPageTest(): (id: string, ctx: ModuleGraph) => string | null {
  // One walk per chunking pass (a watch rebuild hands a new context).
  const walks = new WeakMap<ModuleGraph, Set<string>>();
  return (id, ctx) => {
    let reached = walks.get(ctx);
    if (!reached) {
      reached = new Set();
      walks.set(ctx, reached);
      const todo = [entry];
      while (todo.length > 0) {
        const next = todo.pop() as string;
        if (reached.has(next)) continue;
        reached.add(next);
        todo.push(...(ctx.getModuleInfo(next)?.importedIds ?? []));
      }
    }
    return reached.has(id) ? 'app' : null;
  };
}

/**
 * The web app builds into dist/web, which the server serves (index.html + hashed /assets/*).
 * ECharts and zrender go into their own chunk, reached only through the dynamic import in
 * components/ChartView.tsx, so the dashboard list never downloads chart code.
 */
export default defineConfig({
  root: webDir,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(webDir, '../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // The CSP forbids inline scripts, and a tiny inlined module-preload polyfill would be one.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/, priority: 3 },
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler|@tanstack)[\\/]/,
              priority: 2,
            },
            { name: firstPageTest(), debugName: 'first-page', priority: 1 },
          ],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
