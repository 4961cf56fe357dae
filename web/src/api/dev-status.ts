import type { DevProjectStatus } from '../../../contract/index.js';

/**
 * A `project` event's data from `trellis dev`, or undefined when it is not one (checked by hand, like
 * dashboard-updates.ts: no zod in the bundle).
 */
export function parseDevStatus(data: unknown): DevProjectStatus | undefined {
  if (typeof data !== 'string') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { version, problems, problemCount } = json as Record<string, unknown>;
  if (!isCount(version) || version < 1 || !isCount(problemCount) || !Array.isArray(problems))
    return undefined;
  const parsed: DevProjectStatus['problems'] = [];
  for (const p of problems as unknown[]) {
    if (typeof p !== 'object' || p === null) return undefined;
    const { file, line, message } = p as Record<string, unknown>;
    if (typeof file !== 'string' || !isCount(line) || typeof message !== 'string') return undefined;
    parsed.push({ file, line, message });
  }
  return { version, problems: parsed, problemCount };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Whether a status means the page's definitions and data are out of date (a new version serves). */
export function isNewVersion(seen: number | undefined, next: DevProjectStatus): boolean {
  return seen !== undefined && next.version !== seen;
}
