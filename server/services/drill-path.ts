import type { Dataset } from '../config/project/project.types.js';
import type { DRILL_GRAINS } from '../config/project/project.schema.js';
import { TrellisError } from '../errors.js';
import type { PlanFilter } from '../query/plan.js';

type DrillGrain = (typeof DRILL_GRAINS)[number];

/** What a drill path asks of a time chart: the grain of the level shown and the period it lies in. */
export interface DrillStep {
  readonly grain: DrillGrain;
  readonly filters: PlanFilter[];
}

/**
 * Compiles a drill path (the first day of each chosen period, coarsest first) for a widget whose
 * `drill.levels` the project declares. Only dates come from the request: each must start a period of
 * its level and lie inside the period above it, and the path is shorter than the hierarchy; the
 * column and the grains are the project's. The period becomes two bound comparisons on the column.
 */
export function drillStep(
  levels: readonly DrillGrain[],
  column: string,
  dataset: Dataset,
  path: readonly string[],
): DrillStep {
  if (path.length >= levels.length)
    throw invalid(`the path has ${path.length} periods; this widget drills ${levels.length - 1} levels deep`);
  let outer: [string, string] | undefined;
  path.forEach((start, i) => {
    const grain = levels[i] as DrillGrain;
    const period = periodOf(grain, start);
    if (!period) throw invalid(`"${start}" does not start a ${grain}`);
    if (outer && (period[0] < outer[0] || period[1] > outer[1]))
      throw invalid(`"${start}" is not inside the ${levels[i - 1]} above it`);
    outer = period;
  });
  const grain = levels[path.length] as DrillGrain;
  if (!outer) return { grain, filters: [] };
  const timestamp = dataset.columns.get(column)?.type === 'timestamp';
  return {
    grain,
    filters: [
      { kind: 'compare', column, op: '>=', value: outer[0] },
      // Inclusive end, as date_range filters: the last microsecond of the last day for timestamps.
      { kind: 'compare', column, op: '<=', value: timestamp ? `${outer[1]} 23:59:59.999999` : outer[1] },
    ],
  };
}

/** [first day, last day] of the period of `grain` starting at `start`, or undefined if it does not start one. */
export function periodOf(grain: DrillGrain, start: string): [string, string] | undefined {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const iso = (date: Date) => date.toISOString().slice(0, 10);
  const lastDay = (year: number, month: number) => iso(new Date(Date.UTC(year, month, 0)));
  switch (grain) {
    case 'year':
      return m === 1 && d === 1 ? [start, `${y}-12-31`] : undefined;
    case 'quarter':
      return d === 1 && (m - 1) % 3 === 0 ? [start, lastDay(y, m + 2)] : undefined;
    case 'month':
      return d === 1 ? [start, lastDay(y, m)] : undefined;
    case 'day':
      return [start, start];
  }
}

function invalid(why: string): TrellisError {
  return new TrellisError('DRILL_INVALID', {
    message: `This drill-down path does not fit the widget: ${why}.`,
  });
}
