import { describe, expect, test } from 'vitest';
import { moduleOf, summarizeProfile, type CpuProfile } from './cpu-profile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('CPU profile summary', () => {
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 2_000_000, // µs
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('(garbage collector)') },
      { id: 4, callFrame: frame('serialize', 'file:///x/node_modules/fast-json-stringify/index.js', 9) },
      { id: 5, callFrame: frame('compile', 'file:///x/dist/server/query/compiler.js', 41) },
      { id: 6, callFrame: frame('', 'file:///x/node_modules/@fastify/type-provider-zod/dist/index.js', 0) },
    ],
    // 10 samples: 5 idle, 1 GC, 2 serialize, 1 compile, 1 anonymous zod.
    samples: [2, 2, 2, 2, 2, 3, 4, 4, 5, 6],
  };

  test('idle and GC of all samples; functions and modules ranked by share of busy samples', () => {
    const s = summarizeProfile(profile);
    expect(s.totalMs).toBe(2000);
    expect(s.idlePct).toBe(50);
    expect(s.gcPct).toBe(10);
    // 5 busy samples: serialize 2 (40 %), GC, compile and zod 1 each (20 %).
    expect(s.topFunctions[0]).toEqual({ name: 'serialize fast-json-stringify:10', selfPct: 40 });
    expect(s.topFunctions.map((f) => f.name)).toContain('compile server/query:42');
    expect(s.topFunctions.map((f) => f.name)).toContain('(anonymous) @fastify/type-provider-zod:1');
    expect(s.topFunctions.map((f) => f.name)).not.toContain('(idle)');
    expect(s.byModule).toEqual([
      { module: 'fast-json-stringify', selfPct: 40 },
      { module: '(garbage collector)', selfPct: 20 },
      { module: 'server/query', selfPct: 20 },
      { module: '@fastify/type-provider-zod', selfPct: 20 },
    ]);
  });

  test('falls back to hit counts when samples are absent', () => {
    const { samples: _samples, ...rest } = profile;
    const s = summarizeProfile({
      ...rest,
      nodes: rest.nodes.map((n) => ({ ...n, hitCount: n.id === 2 ? 3 : n.id === 4 ? 1 : 0 })),
    });
    expect(s.idlePct).toBe(75);
    expect(s.topFunctions[0]?.selfPct).toBe(100);
  });

  test('module names', () => {
    expect(moduleOf('node:internal/streams')).toBe('node');
    expect(moduleOf('file:///a/node_modules/pino/lib/x.js')).toBe('pino');
    expect(moduleOf('file:///a/node_modules/@duckdb/node-api/lib/x.js')).toBe('@duckdb/node-api');
    expect(moduleOf('file:///a/dist/server/app.js')).toBe('server/app');
    expect(moduleOf('')).toBe('(native)');
  });
});
