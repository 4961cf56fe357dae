/** Units used in project files and env: durations ("30s") and sizes ("8MB") to numbers. */

const DURATION_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const SIZE_BYTES = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const;

export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)(ms|s|m|h)$/.exec(value);
  if (!m) throw new Error(`not a duration: ${value}`);
  return Number(m[1]) * DURATION_MS[m[2] as keyof typeof DURATION_MS];
}

export function parseByteSize(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)(B|KB|MB|GB)$/.exec(value);
  if (!m) throw new Error(`not a size: ${value}`);
  return Number(m[1]) * SIZE_BYTES[m[2] as keyof typeof SIZE_BYTES];
}
