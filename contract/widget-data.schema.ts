import { z } from 'zod';
import { VALUE_FORMATS } from './dashboards.schema.js';
import { filterValues, isoDate } from './filters.schema.js';

export const MAX_PAGE_SIZE = 500;

export const CACHE_RESULTS = ['hit', 'miss', 'coalesced', 'stale', 'live'] as const;
export type CacheResultName = (typeof CACHE_RESULTS)[number];
export const MAX_OFFSET = 1_000_000;

export const sortSpec = z.object({
  column: z.string().max(100),
  direction: z.enum(['asc', 'desc']),
});
export type SortSpec = z.infer<typeof sortSpec>;

export const widgetDataRequest = z.object({
  filters: filterValues.default({}),
  page: z
    .object({
      offset: z.number().int().min(0).max(MAX_OFFSET),
      limit: z.number().int().min(1).max(MAX_PAGE_SIZE),
    })
    .optional(),
  sort: sortSpec.optional(),
  /**
   * A drill-down path (widgets with `drill`): the first day of each chosen period, coarsest first
   * ("2019-01-01" for the year 2019, then "2019-03-01" for March). Its length is the level shown.
   */
  drill: z.array(isoDate).max(3).optional(),
  /**
   * "Refresh now": read the source again instead of the cache. Honoured for editors and admins only
   * (a viewer's request is answered as usual, so viewers cannot load the source on demand).
   */
  refresh: z.boolean().optional(),
});
export type WidgetDataRequest = z.input<typeof widgetDataRequest>;

/** Rows per page a drill to the rows behind a mark may ask for (the widget's page_size is the default). */
export const MAX_DRILL_ROWS_PAGE = 200;

/** A value a mark carries: a category, a number, a flag, a period's first day, or none. */
export const markValue = z.union([z.string().max(500), z.number().finite(), z.boolean(), z.null()]);

export const drillRowsRequest = z.object({
  filters: filterValues.default({}),
  /** The time-hierarchy path the chart shows (widgets with `drill.levels`), as in widget data. */
  drill: z.array(isoDate).max(3).optional(),
  /**
   * The clicked mark: result column → value. Only columns the widget groups by are accepted, and each
   * becomes a bound filter (a period's first day becomes its range). Empty: every row under the filters.
   */
  mark: z
    .record(z.string().max(100), markValue)
    .refine((m) => Object.keys(m).length <= 4, 'a mark carries at most 4 values')
    .default({}),
  page: z
    .object({
      offset: z.number().int().min(0).max(MAX_OFFSET),
      limit: z.number().int().min(1).max(MAX_DRILL_ROWS_PAGE),
    })
    .optional(),
});
export type DrillRowsRequest = z.input<typeof drillRowsRequest>;

export const COLUMN_ROLES = ['dimension', 'measure', 'value'] as const;
export const COLUMN_TYPES = ['string', 'number', 'date', 'timestamp', 'boolean'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export const resultColumn = z.object({
  key: z.string(),
  label: z.string(),
  type: z.enum(COLUMN_TYPES),
  role: z.enum(COLUMN_ROLES),
  format: z.enum(VALUE_FORMATS).optional(),
});
export type ResultColumn = z.infer<typeof resultColumn>;

export const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Cell = z.infer<typeof cell>;

export const widgetDataResponse = z.object({
  widget: z.string(),
  columns: z.array(resultColumn),
  /** Rows as arrays in `columns` order: compact on the wire and cheap to build. */
  rows: z.array(z.array(cell)),
  /** Tables only: every row that matches the filters, for pagination. */
  total: z.number().int().optional(),
  page: z.object({ offset: z.number().int(), limit: z.number().int() }).optional(),
  sort: sortSpec.optional(),
  meta: z.object({
    /** Milliseconds spent in the engine for this response (0 when nothing ran). */
    queryMs: z.number(),
    /**
     * Milliseconds the statements waited for a slot on the source before running (its fair share
     * among organisations and users); absent when nothing ran.
     */
    waitMs: z.number().optional(),
    rowCount: z.number().int(),
    /** ISO time at which the data was read from the source. */
    asOf: z.string(),
    /** How the server's cache answered: `live` datasets are never cached. */
    cache: z.enum(CACHE_RESULTS),
    /**
     * True when the source could not be reached and this is the last good result, from `asOf`: the
     * page says so ("showing data from 14:02; source unavailable").
     */
    stale: z.boolean(),
    /** Text for screen readers and the "view as table" toggle. */
    description: z.string().optional(),
    /**
     * Set when a chart's declared bound cut the result (sankey/graph node and link counts, box plot
     * groups): what was left out, in words the page shows under the chart.
     */
    notice: z.string().optional(),
  }),
});
export type WidgetDataResponse = z.infer<typeof widgetDataResponse>;

export const filterOptionsQuery = z.object({
  search: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const filterOptionsResponse = z.object({
  filter: z.string(),
  options: z.array(z.object({ value: z.string(), count: z.number().int() })),
  /** True when more values match than were returned (the list is capped at `limit`). */
  more: z.boolean(),
});
export type FilterOptionsResponse = z.infer<typeof filterOptionsResponse>;
