import { CronError, parseCron, type Cron } from './cron.js';

/**
 * A cron schedule read in a time zone (a subscriber's "every Monday at 08:00" is their 08:00, summer
 * and winter). The five fields are matched against the zone's wall clock: cron.ts works in UTC, so a
 * wall-clock time is handled as if it were a UTC instant and converted back with the zone's offset at
 * that moment. On a spring-forward day a time that does not exist (02:30 in Europe/Paris) runs at the
 * first instant after the gap; on a fall-back day a time that happens twice runs once, the first time.
 */
export interface ZonedCron {
  readonly expression: string;
  readonly timeZone: string;
  /** The first tick strictly after `afterMs` (epoch ms), or null if none within 5 years. */
  next(afterMs: number): number | null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formatters.size < 500) formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's wall clock at `utcMs`, written as a UTC epoch (whole seconds). */
function wallClock(utcMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(utcMs)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
}

/** Whether `timeZone` is an IANA zone this runtime knows (UTC included). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function parseZonedCron(expression: string, timeZone: string): ZonedCron {
  if (!isTimeZone(timeZone)) throw new CronError(`"${timeZone}" is not a time zone`);
  const cron: Cron = parseCron(expression);
  const offsetAt = (utcMs: number) => wallClock(utcMs, timeZone) - Math.floor(utcMs / 1000) * 1000;
  /** The instant the zone's clock shows `wall` (the first one if twice; just after a gap if never). */
  const toUtc = (wall: number) => {
    const guess = wall - offsetAt(wall);
    const utc = wall - offsetAt(guess);
    // Fall-back: the same wall time an offset earlier is the first of the two.
    const earlier = utc - 3_600_000;
    return wallClock(earlier, timeZone) === wall ? earlier : utc;
  };
  return {
    expression,
    timeZone,
    next(afterMs: number): number | null {
      let wall = wallClock(afterMs, timeZone);
      // Bounded: a tick either lands after `afterMs` or the wall clock moves on; 1,000 is far beyond
      // any zone's transitions in five years.
      for (let i = 0; i < 1_000; i++) {
        const candidate = cron.next(wall);
        if (candidate === null) return null;
        const utc = toUtc(candidate);
        if (utc > afterMs) return utc;
        wall = candidate;
      }
      return null;
    },
  };
}
