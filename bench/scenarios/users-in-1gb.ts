import { benchProject, DASHBOARD } from '../data/bench-project.js';
import { FIRST_DAY, REGIONS } from '../data/events-sql.js';
import { dataWidgets, loadWidgets, type WidgetReply } from '../lib/dashboard-client.js';
import { errorCode, SignInError, type HttpClient } from '../lib/http-client.js';
import type { BenchOptions } from '../lib/options.js';
import { between, pickOne, seededRandom } from '../lib/random.js';
import { type ScenarioResult, type Verdict } from '../lib/report.js';
import { sleep, Tally } from '../lib/sampling.js';
import { signedInClient } from '../lib/signed-in.js';
import { percentile, round, summarize } from '../lib/stats.js';
import { withServer } from '../lib/with-server.js';

/** The 1 GB host: V8's old space and DuckDB's buffer pool capped so the process fits with room to spare. */
const MAX_OLD_SPACE_MB = 512;
const DUCKDB_MEMORY_LIMIT = '256MB';
const MEMORY_BUDGET_MB = 1024;
const P95_GOAL_MS = 250;
const GOAL_USERS = 1000;
const FLOOR_USERS = 200;
/** Users start evenly over this, so the run measures a crowd, not one synchronized burst. */
const RAMP_MS = 20_000;
/** A user waits at most this for a response (a browser tab would show an error). */
const CLIENT_TIMEOUT_MS = 30_000;
/**
 * A sign-in refused as busy (503 with Retry-After, the server's bound on argon2 work) is tried again
 * after the time it asks, as a person clicking "Sign in" again would, this many times in all. Every
 * refusal is counted and reported (`signInRefusals`); a user who never gets in counts as an error.
 */
const SIGN_IN_ATTEMPTS = 10;

/**
 * The filter states users move between: the whole dashboard, one of the big tenants, a region, a
 * month. Real dashboards see a few popular states, which is what a result cache thrives on.
 */
const FILTER_STATES: readonly Record<string, unknown>[] = [
  {},
  ...['t00', 't01', 't02', 't03', 't04'].map((t) => ({ tenant: [t] })),
  ...REGIONS.map((r) => ({ region: [r] })),
  ...Array.from({ length: 12 }, (_, m) => {
    const year = Number(FIRST_DAY.slice(0, 4));
    const from = new Date(Date.UTC(year, m, 1));
    const to = new Date(Date.UTC(year, m + 1, 0));
    return { period: { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) } };
  }),
];

/**
 * N scripted users (seeded, so every run clicks the same way) against a server held to 1 GB:
 * sign in (20 viewer accounts in 20 organisations, one session per user), open the dashboard, think 1–3 s, change a filter, think, … for the configured duration.
 */
export async function usersIn1gb(options: BenchOptions): Promise<ScenarioResult> {
  const bench = await benchProject({
    rows: options.rows,
    memoryLimit: DUCKDB_MEMORY_LIMIT,
    threads: options.duckdbThreads,
  });
  const { value, profile } = await withServer(
    bench.dir,
    { nodeArgs: [`--max-old-space-size=${MAX_OLD_SPACE_MB}`], profile: options.profile },
    async (server) => {
      const warm = await signedInClient(server, 0);
      const widgets = await dataWidgets(warm, DASHBOARD);
      await loadWidgets(warm, DASHBOARD, widgets, {});
      warm.close();

      const byWidget = new Map<string, number[]>(widgets.map((w) => [w, []]));
      const errors = new Tally();
      const signInRefusals = new Tally();
      const signInMs: number[] = [];
      let actions = 0;
      const record = (replies: readonly WidgetReply[]) => {
        actions++;
        for (const r of replies) {
          byWidget.get(r.widget)?.push(r.ms);
          if (r.status !== 200) errors.add(errorCode(r));
        }
      };
      const started = performance.now();
      const deadline = started + options.usersDurationS * 1000;
      const user = async (index: number) => {
        const random = seededRandom(0x7e11 + index);
        await sleep((index * RAMP_MS) / options.users);
        // A user arrives and signs in (argon2 on the server's core, spread over the ramp), then works.
        let client: HttpClient | undefined;
        const arrived = performance.now();
        for (let attempt = 1; client === undefined; attempt++) {
          try {
            client = await signedInClient(server, index, { maxSockets: 6, timeoutMs: CLIENT_TIMEOUT_MS });
          } catch (err) {
            const reply = err instanceof SignInError ? err.reply : undefined;
            const code = reply
              ? errorCode(reply)
              : err instanceof Error
                ? err.message.slice(0, 60)
                : String(err);
            if (reply?.retryAfterS !== undefined && attempt < SIGN_IN_ATTEMPTS) {
              signInRefusals.add(code);
              // A little jitter, as people do not all click again in the same millisecond.
              await sleep(reply.retryAfterS * 1000 * between(random, 1, 1.5));
              continue;
            }
            errors.add(`sign-in: ${code}`);
            return;
          }
        }
        signInMs.push(performance.now() - arrived);
        try {
          const def = await client.get(`/api/v1/dashboards/${DASHBOARD}`);
          if (def.status !== 200) errors.add(errorCode(def));
          let filters: Record<string, unknown> = {};
          while (performance.now() < deadline) {
            record(await loadWidgets(client, DASHBOARD, widgets, filters));
            await sleep(between(random, 1_000, 3_000));
            filters = pickOne(random, FILTER_STATES);
          }
        } finally {
          client.close();
        }
      };
      await Promise.all(Array.from({ length: options.users }, (_, i) => user(i)));
      return {
        byWidget,
        errors,
        signInRefusals,
        signInMs,
        actions,
        seconds: (performance.now() - started) / 1000,
        peakRssMb: server.peakRssMb(),
      };
    },
  );

  const all = [...value.byWidget.values()].flat();
  const overall = summarize(all);
  const perWidget = Object.fromEntries(
    [...value.byWidget].map(([w, ms]) => [
      w,
      ms.length ? { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), n: ms.length } : {},
    ]),
  );
  const ok = value.errors.total === 0 && overall.p95 <= P95_GOAL_MS && value.peakRssMb <= MEMORY_BUDGET_MB;
  const verdict: Verdict = !ok
    ? 'missed'
    : options.users >= GOAL_USERS
      ? 'met'
      : options.users >= FLOOR_USERS
        ? 'floor met'
        : 'missed';
  return {
    scenario: 'users-in-1gb',
    measured: `${options.users} users ${options.usersDurationS} s: p95 ${round(overall.p95, 0)} ms, ${value.errors.total} errors / ${all.length}, ${value.signInMs.length} signed in (${value.signInRefusals.total} busy refusals retried), peak RSS ${round(value.peakRssMb, 0)} MB`,
    goal: `${GOAL_USERS} users [${FLOOR_USERS}], 0 errors, p95 ≤ ${P95_GOAL_MS} ms, ≤ 1 GB`,
    anchor: 'Streamlit dies at 7–10 users on 1 GB',
    ratio: overall.p95 / P95_GOAL_MS,
    verdict,
    details: {
      users: options.users,
      durationS: options.usersDurationS,
      maxOldSpaceMb: MAX_OLD_SPACE_MB,
      duckdbMemoryLimit: DUCKDB_MEMORY_LIMIT,
      actions: value.actions,
      requests: all.length,
      requestsPerSecond: round(all.length / value.seconds, 1),
      errors: value.errors.toJSON(),
      signInRefusals: value.signInRefusals.toJSON(),
      signInMs: value.signInMs.length
        ? {
            n: value.signInMs.length,
            p50: round(percentile(value.signInMs, 50)),
            p95: round(percentile(value.signInMs, 95)),
            max: round(Math.max(...value.signInMs)),
          }
        : {},
      latencyMs: {
        p50: round(overall.p50),
        p95: round(overall.p95),
        p99: round(overall.p99),
        max: round(overall.max),
      },
      perWidgetMs: perWidget,
      peakRssMb: round(value.peakRssMb, 1),
      ...(profile ? { profile } : {}),
    },
  };
}
