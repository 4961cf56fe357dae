import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The parts of a V8 `.cpuprofile` (node --cpu-prof) that a summary needs. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly hitCount?: number;
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

export interface ProfileSummary {
  /** Wall time the profile covers. */
  readonly totalMs: number;
  /** Share of samples in which the JS thread was idle (waiting on I/O, DuckDB threads, timers). */
  readonly idlePct: number;
  readonly gcPct: number;
  /**
   * Functions by self time in percent of the busy samples (idle ones left out, so a mostly waiting
   * server still shows where its work goes). JS thread only: DuckDB's threads are not sampled by V8.
   */
  readonly topFunctions: readonly { name: string; selfPct: number }[];
  /** Self time grouped by package (node_modules/x) or by our own top folder (dist/server/query), of busy samples. */
  readonly byModule: readonly { module: string; selfPct: number }[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function moduleOf(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const dist = /\/dist\/((?:server|bench|contract)\/[^/]+)/.exec(url);
  if (dist) return (dist[1] as string).replace(/\.js$/, '');
  return path.basename(url);
}

/** Self time of each function and module, in percent of all samples. */
export function summarizeProfile(profile: CpuProfile, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  if (profile.samples?.length) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const n of profile.nodes) hits.set(n.id, n.hitCount ?? 0);
  const total = [...hits.values()].reduce((a, b) => a + b, 0);
  const pct = (n: number) => (total ? round1((100 * n) / total) : 0);
  let busy = 0;
  const fn = new Map<string, number>();
  const mod = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += count;
    else if (functionName === '(garbage collector)') gc += count;
    if (functionName === '(idle)' || functionName === '(root)') continue;
    busy += count;
    const name = `${functionName || '(anonymous)'} ${url ? `${moduleOf(url)}:${lineNumber + 1}` : ''}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + count);
    const m = functionName.startsWith('(') ? functionName : moduleOf(url);
    mod.set(m, (mod.get(m) ?? 0) + count);
  }
  const ranked = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  const ofBusy = (n: number) => (busy ? round1((100 * n) / busy) : 0);
  return {
    totalMs: round1((profile.endTime - profile.startTime) / 1000),
    idlePct: pct(idle),
    gcPct: pct(gc),
    topFunctions: ranked(fn).map(([name, n]) => ({ name, selfPct: ofBusy(n) })),
    byModule: ranked(mod).map(([module, n]) => ({ module, selfPct: ofBusy(n) })),
  };
}

/** The newest `.cpuprofile` in a folder (node names them by time and pid). */
export function newestProfile(dir: string): CpuProfile | undefined {
  const newest = newestProfileFile(dir);
  return newest ? (JSON.parse(readFileSync(newest, 'utf8')) as CpuProfile) : undefined;
}

export function newestProfileFile(dir: string): string | undefined {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

export function formatProfile(s: ProfileSummary): string {
  const lines = [
    `  profile: ${s.totalMs} ms, JS thread idle ${s.idlePct} %, GC ${s.gcPct} %; shares below are of busy time`,
    '  self time by module: ' + s.byModule.map((m) => `${m.module} ${m.selfPct} %`).join(', '),
    '  top functions:',
    ...s.topFunctions.map((f) => `    ${String(f.selfPct).padStart(5)} %  ${f.name}`),
  ];
  return lines.join('\n');
}
