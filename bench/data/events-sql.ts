/**
 * The SQL that fills the bench `events` table. Pure strings, so the generator's shape is testable
 * without DuckDB and the same statement builds 1 M or 100 M rows.
 *
 * Randomness is arithmetic on the row number (a multiply–xorshift mix kept below 2^63 so DuckDB's
 * checked integer arithmetic never overflows), not DuckDB's `random()` or `hash()`: the same seed
 * gives the same rows on every run and every DuckDB version.
 */

export const TENANTS = 20;
export const CATEGORIES = 40;
export const REGIONS = ['north', 'south', 'east', 'west', 'central', 'coastal', 'highlands', 'islands'];
/** Events span one year, in row order (append-only logs arrive in time order). */
export const FIRST_DAY = '2025-01-01';
export const SPAN_DAYS = 365;
export const USERS_PER_TENANT = 5_000;
export const GENERATOR_VERSION = 1;

const WORDS_A = ['checkout', 'login', 'search', 'upload', 'export', 'report', 'invoice', 'signup'];
const WORDS_B = ['completed', 'failed', 'retried', 'started', 'cancelled', 'timed out', 'queued'];
const WORDS_C = ['on mobile', 'on desktop', 'via api', 'from email', 'after promo', 'in batch'];

/** A uniform double in [0, 1) from the row number `i` and a column salt `k`. */
function unit(i: string, k: number, seed: number): string {
  const salt = (seed * 7_919 + k * 104_729) % 2_147_483_648;
  const h1 = `((${i} * 1103515245 + ${salt}) % 2147483648)`;
  const h2 = `xor(${h1}, ${h1} >> 13)`;
  const h3 = `((${h2} * 1103515245 + 12345) % 2147483648)`;
  return `(xor(${h3}, ${h3} >> 16) / 2147483648.0)`;
}

const list = (words: readonly string[]) => `[${words.map((w) => `'${w}'`).join(', ')}]`;
const pick = (words: readonly string[], u: string) =>
  `${list(words)}[1 + floor(${u} * ${words.length})::INT]`;

export function createEventsSql(rows: number, seed: number): string {
  if (!Number.isSafeInteger(rows) || rows < 1)
    throw new RangeError(`rows must be a positive integer: ${rows}`);
  // Each column reads its own uniform draws (u0…u10) from one inner SELECT, so every mix is computed once.
  const u = (k: number) => `u${k}`;
  const draws = Array.from({ length: 11 }, (_, k) => `${unit('i', k, seed)} AS u${k}`).join(',\n      ');
  return `CREATE OR REPLACE TABLE events AS
SELECT
  -- Days advance with the row number (append-only logs arrive in time order, so date filters can
  -- skip row groups); within a day the time is triangular around noon, so hours are not uniform.
  TIMESTAMP '${FIRST_DAY}'
    + to_days(floor(i * ${SPAN_DAYS} / ${rows})::INTEGER)
    + to_seconds(floor((${u(0)} + ${u(9)}) * 43200)::BIGINT) AS ts,
  -- Tenant sizes are skewed: t00 holds about 30 % of the rows, t19 about 2 %.
  't' || lpad(floor(${TENANTS} * pow(${u(1)}, 2.5))::INTEGER::VARCHAR, 2, '0') AS tenant,
  -- Categories are Zipf-like too, so top-N lists have a clear head and a long tail.
  'cat_' || lpad(floor(${CATEGORIES} * pow(${u(2)}, 2))::INTEGER::VARCHAR, 2, '0') AS category,
  ${pick(REGIONS, u(3))} AS region,
  'u' || lpad(floor(${u(4)} * ${USERS_PER_TENANT * TENANTS})::INTEGER::VARCHAR, 6, '0') AS user_id,
  round(pow(${u(5)}, 3) * 2000, 2) AS amount,
  (5 + floor(pow(${u(6)}, 4) * 30000))::INTEGER AS duration_ms,
  ${pick(WORDS_A, u(7))} || ' ' || ${pick(WORDS_B, u(8))} || ' ' || ${pick(WORDS_C, u(10))} AS message
FROM (
  SELECT
      i,
      ${draws}
  FROM range(${rows}) t(i)
)`;
}
