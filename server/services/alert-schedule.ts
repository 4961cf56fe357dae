import { MIN_ALERT_EVERY_MINUTES } from '../../contract/index.js';
import { TrellisError } from '../errors.js';
import { parseZonedCron } from '../jobs/zoned-cron.js';

/** When an alert rule is checked: every N minutes, or a cron schedule in the member's time zone. */
export interface AlertSchedule {
  readonly everyMinutes: number | null;
  readonly cron: string | null;
  readonly timeZone: string;
  /** The next check strictly after `afterMs`. */
  next(afterMs: number): number;
}

const MIN_MS = MIN_ALERT_EVERY_MINUTES * 60_000;

/**
 * Checks and builds a schedule: exactly one of `everyMinutes` (at least 5) and `cron` (five fields,
 * read in `timeZone`, default UTC; ticks at least 5 minutes apart — each check is a query).
 */
export function alertSchedule(input: {
  readonly everyMinutes?: number | undefined;
  readonly cron?: string | undefined;
  readonly timeZone?: string | undefined;
}): AlertSchedule {
  const timeZone = input.timeZone ?? 'UTC';
  if ((input.everyMinutes === undefined) === (input.cron === undefined))
    throw new TrellisError('SCHEDULE_INVALID', {
      message: 'An alert is checked either every so many minutes or on a cron schedule (one of the two).',
    });
  if (input.everyMinutes !== undefined) {
    const every = input.everyMinutes;
    if (!Number.isInteger(every) || every < MIN_ALERT_EVERY_MINUTES)
      throw new TrellisError('SCHEDULE_INVALID', {
        message: `An alert may be checked at most every ${MIN_ALERT_EVERY_MINUTES} minutes.`,
      });
    return { everyMinutes: every, cron: null, timeZone, next: (after) => after + every * 60_000 };
  }
  const expression = input.cron ?? '';
  let cron;
  try {
    cron = parseZonedCron(expression, timeZone);
  } catch (err) {
    throw new TrellisError('SCHEDULE_INVALID', { message: `${(err as Error).message}.`, cause: err });
  }
  // Bounded: sample a stretch of ticks; any two closer than the minimum refuse the schedule.
  let t = cron.next(Date.UTC(2026, 0, 5));
  for (let i = 0; i < 50 && t !== null; i++) {
    const n = cron.next(t);
    if (n !== null && n - t < MIN_MS)
      throw new TrellisError('SCHEDULE_INVALID', {
        message: `An alert may be checked at most every ${MIN_ALERT_EVERY_MINUTES} minutes.`,
      });
    t = n;
  }
  const zoned = cron;
  return {
    everyMinutes: null,
    cron: expression,
    timeZone,
    // A cron with no tick in five years is refused by the parser's sample above; a year on otherwise.
    next: (after) => zoned.next(after) ?? after + 365 * 86_400_000,
  };
}
