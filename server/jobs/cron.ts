/**
 * Five-field cron expressions in UTC: minute hour day-of-month month day-of-week. Each field takes
 * `*`, a number, a range `a-b`, a step `*∕n`, `a-b∕n` or `a∕n`, and comma lists of those; months
 * and days also take names (JAN–DEC, SUN–SAT); day-of-week 7 is Sunday as well as 0. As in Vixie
 * cron, when both day-of-month and day-of-week are restricted (neither starts with `*`), a day
 * matching either runs; otherwise both must match.
 *
 * Why not croner (measured with croner 11.0.1, the version installed, against this file's tests):
 * - `0 0 *∕10 * 1` runs on 2026-01-05 under croner (it ORs the day fields whenever both are
 *   restricted, `*∕10` included) but on 2026-05-11 under Vixie cron and here: a project's existing
 *   schedule would silently change meaning;
 * - `10∕20` (a numeric start with a step) is a syntax error in croner, valid in Vixie cron and here:
 *   project files using it would stop loading;
 * - it accepts 6 and 7 fields (seconds, year), and its messages ("Invalid value for day: -1" for a
 *   day-of-month 0) do not name the field and range that `trellis check` prints with file:line.
 * Wrapping it would need a validator for those messages, a rewrite of `a∕n` and a per-expression
 * day-mode switch: as much code as this parser, plus a dependency. Revisit if croner gains a strict
 * Vixie mode.
 */
export interface Cron {
  readonly expression: string;
  /** The first tick strictly after `afterMs` (epoch ms, whole minutes), or null if none within 5 years. */
  next(afterMs: number): number | null;
  /** Whether the minute holding `atMs` is a tick. */
  matches(atMs: number): boolean;
}

export class CronError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronError';
  }
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const MINUTE = 60_000;
const HORIZON_MS = 5 * 366 * 86_400_000;

export function parseCron(expression: string): Cron {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new CronError(
      `a schedule has 5 fields (minute hour day-of-month month day-of-week, UTC); "${expression}" has ${parts.length}`,
    );
  const [minutes, hours, doms, months, dows] = parts.map((p, i) => parseField(p, FIELDS[i] as FieldSpec)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  if (dows.has(7)) dows.add(0);
  const domStar = (parts[2] ?? '').startsWith('*');
  const dowStar = (parts[4] ?? '').startsWith('*');
  const dayMatches = (d: Date) => {
    const dom = doms.has(d.getUTCDate());
    const dow = dows.has(d.getUTCDay());
    if (!domStar && !dowStar) return dom || dow;
    return dom && dow;
  };
  const matches = (atMs: number) => {
    const d = new Date(atMs);
    return (
      minutes.has(d.getUTCMinutes()) &&
      hours.has(d.getUTCHours()) &&
      months.has(d.getUTCMonth() + 1) &&
      dayMatches(d)
    );
  };
  return {
    expression,
    matches,
    next(afterMs: number): number | null {
      let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
      const end = afterMs + HORIZON_MS;
      // Skip whole months, days and hours that cannot match before stepping minute by minute.
      while (t <= end) {
        const d = new Date(t);
        if (!months.has(d.getUTCMonth() + 1)) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
          continue;
        }
        if (!dayMatches(d)) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
          continue;
        }
        if (!hours.has(d.getUTCHours())) {
          t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
          continue;
        }
        if (!minutes.has(d.getUTCMinutes())) {
          t += MINUTE;
          continue;
        }
        return t;
      }
      return null;
    },
  };
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  const fail = (why: string): never => {
    throw new CronError(`${spec.name} "${text}": ${why}`);
  };
  if (text === '') fail('empty');
  for (const item of text.split(',')) {
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) fail('more than one "/"');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0)
        fail(`step "${stepText}" must be a positive number`);
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max === 7 ? 6 : spec.max;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2 || bounds.some((b) => b === '')) fail(`"${range}" is not a value or a range a-b`);
      from = value(bounds[0] ?? '', spec, fail);
      to =
        bounds.length === 2 ? value(bounds[1] ?? '', spec, fail) : stepText !== undefined ? spec.max : from;
      if (from > to) fail(`range ${from}-${to} runs backwards`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function value(text: string, spec: FieldSpec, fail: (why: string) => never): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return spec.name === 'month' ? named + 1 : named;
  if (!/^\d+$/.test(text)) return fail(`"${text}" is not a number${spec.names ? ' or a name' : ''}`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) return fail(`${n} is outside ${spec.min}–${spec.max}`);
  return n;
}
