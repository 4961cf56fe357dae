import type { Role, ValueFormat } from '../../../contract/index.js';
import type { LocalizedText } from '../../../contract/locale.js';
import type { Pipeline } from './pipeline.types.js';
import type { UploadTarget } from './upload.types.js';
import type {
  AGGREGATES,
  COLUMN_TYPES,
  DataWidgetDef,
  PlainWidgetDef,
  DemoConfig,
  FilterDef,
  SourceConfig,
} from './project.schema.js';

/** The project after validation and cross-checking: what the rest of the server reads. */
export interface Project {
  readonly dir: string;
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly sources: ReadonlyMap<string, SourceConfig>;
  readonly limits: QueryLimits;
  readonly datasets: ReadonlyMap<string, Dataset>;
  /** In display order. */
  readonly dashboards: ReadonlyMap<string, Dashboard>;
  /** Background ingestion pipelines (pipelines/*.yaml), by id; empty when there are none. */
  readonly pipelines: ReadonlyMap<string, Pipeline>;
  /** Upload targets (uploads/*.yaml), by id; empty when there are none. */
  readonly uploads: ReadonlyMap<string, UploadTarget>;
  /** Demo organisations and users for `trellis serve --demo` (project.schema.ts, `demo:`). */
  readonly demo?: DemoConfig;
}

export interface QueryLimits {
  readonly queryTimeoutMs: number;
  readonly maxRows: number;
  readonly maxBytes: number;
  /** How long one export stream may run (limits.export_timeout). */
  readonly exportTimeoutMs: number;
}

export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly label: string;
  readonly format?: ValueFormat;
  /** Trusted SQL expression from the project file; absent for a plain column. */
  readonly sql?: string;
}

export interface Measure {
  readonly name: string;
  readonly label: string;
  readonly format?: ValueFormat;
  readonly agg?: (typeof AGGREGATES)[number];
  readonly column?: string;
  readonly sql?: string;
}

export type DatasetFrom =
  | { readonly kind: 'table'; readonly table: string }
  | { readonly kind: 'sql'; readonly file: string; readonly text: string };

export interface DatasetParam {
  readonly type: 'string' | 'number' | 'date' | 'boolean';
  readonly value: string | number | boolean;
}

/**
 * Whose rows a dataset holds. `tenant`: rows of many organisations, told apart by `column`; every
 * query gets `column = <the session's organisation>` innermost (and SQL datasets bind `:tenant`).
 * `shared`: the same rows for everyone (reference data). Every dataset declares one or the other.
 */
export type DatasetTenancy =
  { readonly kind: 'tenant'; readonly column: string } | { readonly kind: 'shared' };

/** The named SQL parameter bound to the session's tenant; reserved (never declared under `params`). */
export const TENANT_PARAMETER = 'tenant';

export interface Dataset {
  readonly id: string;
  readonly file: string;
  readonly title: string;
  readonly source: string;
  readonly from: DatasetFrom;
  readonly params: ReadonlyMap<string, DatasetParam>;
  readonly tenancy: DatasetTenancy;
  readonly freshness: string | number;
  readonly columns: ReadonlyMap<string, Column>;
  readonly measures: ReadonlyMap<string, Measure>;
  /** The most rows one export of a widget on this dataset may hold (`export_limit`; absent: 1,000,000). */
  readonly exportLimit?: number;
}

/** Widgets that read data always know their dataset after loading. */
export type ResolvedDataWidget = DataWidgetDef & {
  readonly dataset: string;
  /** floorplan widgets: the SVG file's markup, sanitised when the project loaded (floor-plans.ts). */
  readonly svgMarkup?: string;
};
export type ResolvedWidget = ResolvedDataWidget | PlainWidgetDef;

export interface ResolvedFilter extends FilterDef {
  /** Dataset whose distinct values feed a multi_select. */
  readonly optionsFrom: string;
}

export interface Dashboard {
  readonly id: string;
  readonly file: string;
  /** One string or translations: present it with pickTitle (contract/locale.ts) in the reader's language. */
  readonly title: LocalizedText;
  readonly description?: LocalizedText;
  readonly order: number;
  /** Who may view it; to other roles it does not exist. */
  readonly roles: readonly Role[];
  /** May its widgets be downloaded (`export:`, default true)? */
  readonly exportable: boolean;
  readonly filters: readonly ResolvedFilter[];
  readonly widgets: readonly ResolvedWidget[];
}

export interface ProjectProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export function formatProblem(p: ProjectProblem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}
