import type { TIME_GRAINS } from '../config/project/project.schema.js';

/**
 * A query plan: what to ask of a dataset, in terms of names from the project files only. Compilers
 * turn a plan into one SQL string plus bound parameters; nothing in a plan is ever SQL.
 */
export type TimeGrain = (typeof TIME_GRAINS)[number];
export type SqlValue = string | number | boolean | null;

// The tenant brand lives in contract/ (query/ and policies/ both use it and may not import each other).
import { tenantId, type TenantId } from '../../contract/tenant-id.js';

export { tenantId, type TenantId };

/**
 * The tenant of statements that are prepared but never run (`trellis check` compiling measures and
 * computed columns before any session exists). It is not a slug, so it can match no organisation's rows.
 */
export const PREPARE_ONLY_TENANT = '*prepare-only*' as TenantId;

export interface PlanDimension {
  /** A column name of the dataset; also the output key. */
  readonly column: string;
  readonly grain?: TimeGrain;
}

export type PlanFilter =
  | { readonly kind: 'in'; readonly column: string; readonly values: readonly (string | number)[] }
  | {
      readonly kind: 'compare';
      readonly column: string;
      readonly op: CompareOp;
      readonly value: string | number | boolean;
    }
  /** Case-insensitive substring match on any of the columns (LIKE with the pattern escaped). */
  | { readonly kind: 'contains'; readonly columns: readonly string[]; readonly text: string }
  | { readonly kind: 'null'; readonly column: string; readonly negate: boolean };

export type CompareOp = '=' | '<>' | '>' | '>=' | '<' | '<=';

export interface PlanSort {
  /** A dimension column or measure name (aggregate plans) or a column name (row plans). */
  readonly key: string;
  readonly direction: 'asc' | 'desc';
}

interface PlanBase {
  readonly dataset: string;
  /** Required even on shared datasets, so no code path can forget it where it matters. */
  readonly tenant: TenantId;
  readonly filters: readonly PlanFilter[];
}

export interface AggregatePlan extends PlanBase {
  readonly kind: 'aggregate';
  readonly dimensions: readonly PlanDimension[];
  readonly measures: readonly string[];
  readonly sort: readonly PlanSort[];
  /** Declared top-N; without one the engine's row cap applies and overflow is an error. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface RowsPlan extends PlanBase {
  readonly kind: 'rows';
  readonly columns: readonly string[];
  readonly sort: readonly PlanSort[];
  readonly limit: number;
  readonly offset: number;
}

export interface CountPlan extends PlanBase {
  readonly kind: 'count';
  /** Count groups instead of rows (the total of a grouped table). */
  readonly groupBy?: readonly PlanDimension[];
}

export interface HistogramPlan extends PlanBase {
  readonly kind: 'histogram';
  readonly column: string;
  readonly bins: number;
}

/** The five-number summary of a number column per group (box plots): quartiles by the engine. */
export interface BoxplotPlan extends PlanBase {
  readonly kind: 'boxplot';
  readonly column: string;
  /** One box per value of this column; none: one box over every row. */
  readonly dimension?: string;
  /** Groups asked for (the caller asks one more than it shows, to tell a cut). */
  readonly limit: number;
}

/** Output keys of a box plot row, after the dimension (if any). */
export const BOXPLOT_KEYS = ['low', 'q1', 'median', 'q3', 'high', 'n'] as const;

export type QueryPlan = AggregatePlan | RowsPlan | CountPlan | HistogramPlan | BoxplotPlan;
