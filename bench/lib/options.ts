/**
 * What a bench run was asked for, from the command line (`npm run bench -- NAME --rows 10m`) or the
 * environment (BENCH_ROWS=10m npm run bench). Parsed once in run.ts; scenarios read this object.
 */
export interface BenchOptions {
  /** Scenario names to run; empty means all of them. */
  readonly scenarios: readonly string[];
  /** Rows of `events` for the load scenarios (default 1 M). */
  readonly rows: number;
  /** Rows for cold-scan and the heavy queries of event-loop (default 10 M; 100 M on request). */
  readonly scanRows: number;
  /** Scripted users of users-in-1gb and how long they run. */
  readonly users: number;
  readonly usersDurationS: number;
  /** The largest number of concurrent viewers of session-memory. */
  readonly sessions: number;
  /** DuckDB `threads` for the bench source (default: DuckDB's own, one per core). For tuning runs. */
  readonly duckdbThreads: number | undefined;
  /** Record a V8 CPU profile of the server and print its summary. */
  readonly profile: boolean;
  /** Pin server and load generator to separate cores (default); `--no-pin` for diagnosis. */
  readonly pin: boolean;
  /** Redis shared by the two instances of the stampede and shutdown scenarios (BENCH_REDIS_URL). */
  readonly redisUrl: string;
  /**
   * A built checkout of an earlier commit (`--baseline DIR`, BENCH_BASELINE): example-widgets then
   * measures that build and this one in the same run, round by round, and gives the ratio.
   */
  readonly baseline: string | undefined;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const DEFAULTS = {
  rows: 1_000_000,
  scanRows: 10_000_000,
  users: 200,
  // The issue asks for 3 minutes; it keeps the whole `npm run bench` under 20 minutes here.
  usersDurationS: 180,
  sessions: 500,
} as const;

export class UsageError extends Error {}

/** "1m", "10M", "250k" or a plain integer. */
export function parseRowCount(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`not a row count: "${text}" (use e.g. 1m, 10m, 100m or 250000)`);
  const unit = (m[2] ?? '').toLowerCase();
  const n = Number(m[1]) * (unit === 'm' ? 1_000_000 : unit === 'k' ? 1_000 : 1);
  if (!Number.isSafeInteger(n) || n < 1_000)
    throw new UsageError(`row count must be a whole number ≥ 1000: "${text}"`);
  return n;
}

function positiveInt(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${name} must be a positive integer`);
  return Number(text);
}

const FLAGS: Record<
  string,
  { env: string; key: keyof Omit<BenchOptions, 'scenarios' | 'profile' | 'pin' | 'redisUrl'> }
> = {
  '--duckdb-threads': { env: 'BENCH_DUCKDB_THREADS', key: 'duckdbThreads' },
  '--rows': { env: 'BENCH_ROWS', key: 'rows' },
  '--scan-rows': { env: 'BENCH_SCAN_ROWS', key: 'scanRows' },
  '--users': { env: 'BENCH_USERS', key: 'users' },
  '--users-duration': { env: 'BENCH_USERS_DURATION', key: 'usersDurationS' },
  '--sessions': { env: 'BENCH_SESSIONS', key: 'sessions' },
};

/** Flags win over environment variables, which win over the defaults. */
export function parseBenchArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): BenchOptions {
  const values: Record<string, number> = { ...DEFAULTS };
  const parse = (flag: string, text: string) => {
    const spec = FLAGS[flag];
    if (!spec) throw new UsageError(`unknown option ${flag}`);
    values[spec.key] =
      spec.key === 'rows' || spec.key === 'scanRows' ? parseRowCount(text) : positiveInt(flag, text);
  };
  for (const [flag, spec] of Object.entries(FLAGS)) {
    const text = env[spec.env];
    if (text !== undefined && text !== '') parse(flag, text);
  }
  const scenarios: string[] = [];
  let profile = env.BENCH_PROFILE === '1';
  let pin = env.BENCH_PIN !== '0';
  let baseline = env.BENCH_BASELINE || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--profile') profile = true;
    else if (arg === '--no-pin') pin = false;
    else if (arg === '--baseline' || arg.startsWith('--baseline=')) {
      const text = arg.includes('=') ? arg.slice('--baseline='.length) : argv[++i];
      if (!text) throw new UsageError('--baseline needs a directory (a built checkout)');
      baseline = text;
    } else if (arg.startsWith('--')) {
      const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
      if (!FLAGS[flag]) throw new UsageError(`unknown option ${flag}`);
      const text = inline ?? argv[++i];
      if (text === undefined) throw new UsageError(`${flag} needs a value`);
      parse(flag, text);
    } else scenarios.push(arg);
  }
  return {
    scenarios,
    rows: values.rows as number,
    scanRows: values.scanRows as number,
    users: values.users as number,
    usersDurationS: values.usersDurationS as number,
    sessions: values.sessions as number,
    duckdbThreads: values.duckdbThreads,
    profile,
    pin,
    redisUrl: env.BENCH_REDIS_URL || DEFAULT_REDIS_URL,
    baseline,
  };
}

/** "1m", "10m", "250k": for file names and table rows. */
export function rowLabel(rows: number): string {
  if (rows % 1_000_000 === 0) return `${rows / 1_000_000}m`;
  if (rows % 1_000 === 0) return `${rows / 1_000}k`;
  return String(rows);
}
