import { z } from 'zod';

/**
 * Filter values as the browser sends them, keyed by filter id. The shape depends on the filter's
 * type (declared in the project files); the server checks the pairing, so these schemas only bound
 * sizes. Nothing here is ever spliced into SQL: every value becomes a bound parameter.
 */
export const MAX_SELECTED_VALUES = 500;
export const MAX_FILTER_STRING = 1_000;

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'not a calendar date',
  );

export const multiSelectValue = z.array(z.string().max(MAX_FILTER_STRING)).max(MAX_SELECTED_VALUES);
export const dateRangeValue = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .strict()
  .refine((r) => !r.from || !r.to || r.from <= r.to, '"from" must not be after "to"');
export const numberRangeValue = z
  .object({ min: z.number().finite().optional(), max: z.number().finite().optional() })
  .strict()
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, '"min" must not exceed "max"');
export const textValue = z.string().max(MAX_FILTER_STRING);

export const filterValue = z.union([multiSelectValue, dateRangeValue, numberRangeValue, textValue]);
export type FilterValue = z.infer<typeof filterValue>;
export type MultiSelectValue = z.infer<typeof multiSelectValue>;
export type DateRangeValue = z.infer<typeof dateRangeValue>;
export type NumberRangeValue = z.infer<typeof numberRangeValue>;

/**
 * How deeply a filter value may nest (arrays and objects). Every valid value is at most 2 deep; a
 * 10,000-deep one would otherwise reach code that walks values recursively (JSON.stringify throws a
 * RangeError on the stack: a 500 for what is a bad request).
 */
export const MAX_FILTER_DEPTH = 4;

/** Whether `value` nests arrays/objects deeper than `max`; iterative, stops at the first too-deep one. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * For the API description only (OpenAPI `oneOf`, one member per filter type, each titled with the
 * type): which value shape goes with which filter type. Requests keep `unknown` values because the
 * pairing depends on the dashboard: the server checks each value against its filter's declared type
 * (INVALID_FILTER_VALUE) — a union here would accept a date range for a number filter.
 */
const jsonOf = (schema: z.ZodType, title: string, description: string, extra: object = {}) => ({
  ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
  $schema: undefined,
  title,
  description,
  ...extra,
});
export const FILTER_VALUE_SHAPES = [
  jsonOf(multiSelectValue, 'multi_select', 'the selected values; a row matches any of them'),
  jsonOf(
    dateRangeValue,
    'date_range',
    'YYYY-MM-DD; both ends inclusive (a timestamp column matches until 23:59:59.999999 of `to`)',
    {
      minProperties: 1,
    },
  ),
  jsonOf(numberRangeValue, 'number_range', '`min <= value <= max`: both ends inclusive', {
    minProperties: 1,
  }),
  jsonOf(textValue, 'text', 'case-insensitive "contains"'),
];

export const filterValues = z
  .record(
    z.string().max(100),
    z.unknown().meta({
      description:
        "A filter's value, keyed by the filter's id; its shape is set by the filter's type in the dashboard definition (GET /api/v1/dashboards/{dashboard}). null or an empty list/range = no filter.",
      oneOf: FILTER_VALUE_SHAPES,
    }),
  )
  .refine((r) => Object.keys(r).length <= 50, 'too many filters')
  .refine(
    (r) => !Object.values(r).some((v) => nestsDeeperThan(v, MAX_FILTER_DEPTH)),
    `a filter value nests deeper than ${MAX_FILTER_DEPTH} levels`,
  );
/** Values stay `unknown` on the wire: the server validates each against its filter's declared type. */
export type FilterValues = Record<string, unknown>;

export const FILTER_TYPES = ['multi_select', 'date_range', 'number_range', 'text'] as const;
export type FilterType = (typeof FILTER_TYPES)[number];
