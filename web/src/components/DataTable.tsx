import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Cell, ResultColumn, SortSpec } from '../../../contract/index.js';
import { formatCell } from '../charts/value-format.js';

interface Props {
  readonly caption: string;
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly Cell[])[];
  /** Sortable column keys; headers of the others are plain text. */
  readonly sortable?: readonly string[] | undefined;
  readonly sort?: SortSpec | undefined;
  readonly onSort?: ((column: string) => void) | undefined;
  readonly footer?: ReactNode;
  /** Cells of these columns are toggle buttons that cross-filter the dashboard by their value. */
  readonly cellFilter?: CellFilter | undefined;
  /** Rows get a checkbox (an action reads the selected rows' keys): a table an action reads from. */
  readonly rowSelect?: RowSelect | undefined;
}

export interface RowSelect {
  /** The result column whose value is the row's key. */
  readonly keyColumn: string;
  readonly isSelected: (key: string) => boolean;
  readonly toggle: (key: string) => void;
  /** The header checkbox's state and action, for the keys on this page. */
  readonly page: 'all' | 'some' | 'none';
  readonly togglePage: () => void;
  readonly selectPageLabel: string;
  readonly selectRowLabel: (key: string) => string;
}

export interface CellFilter {
  readonly columns: ReadonlySet<string>;
  readonly isSelected: (column: string, value: string) => boolean;
  readonly activate: (column: string, value: string, additive: boolean) => void;
}

/**
 * A plain, accessible data table: a caption for screen readers, aria-sort on the sorted column,
 * header buttons for sortable columns (so they are reachable by keyboard), numbers right-aligned.
 */
export function DataTable({
  caption,
  columns,
  rows,
  sortable,
  sort,
  onSort,
  footer,
  cellFilter,
  rowSelect,
}: Props) {
  const keyAt = rowSelect ? columns.findIndex((c) => c.key === rowSelect.keyColumn) : -1;
  const selectedKey = (row: readonly Cell[]): string | null => {
    if (keyAt < 0) return null;
    const v = row[keyAt];
    return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
  };
  const canSort = new Set(onSort ? (sortable ?? []) : []);
  const { t } = useTranslation();
  const prose = proseColumns(columns, rows);
  const cellClass = (c: ResultColumn, i: number) =>
    isNumeric(c) ? 'num' : prose.has(i) ? 'prose' : undefined;
  return (
    <div className="table-wrap">
      {/* Wide tables scroll sideways; the region is focusable so keyboards can scroll it too. */}
      <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
        <table className="data-table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {rowSelect && keyAt >= 0 && (
                <th scope="col" className="select-cell">
                  <PageCheckbox
                    state={rowSelect.page}
                    label={rowSelect.selectPageLabel}
                    onToggle={rowSelect.togglePage}
                  />
                </th>
              )}
              {columns.map((c) => {
                const sorted = sort?.column === c.key ? sort.direction : undefined;
                const ariaSort = canSort.has(c.key)
                  ? sorted === 'asc'
                    ? 'ascending'
                    : sorted === 'desc'
                      ? 'descending'
                      : 'none'
                  : undefined;
                return (
                  <th
                    key={c.key}
                    scope="col"
                    aria-sort={ariaSort}
                    className={isNumeric(c) ? 'num' : undefined}
                  >
                    {canSort.has(c.key) ? (
                      <button type="button" className="sort-button" onClick={() => onSort?.(c.key)}>
                        {c.label}
                        <span className="sort-icon" aria-hidden="true">
                          {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                        </span>
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, r) => (
              <tr
                key={r}
                className={rowSelect?.isSelected(selectedKey(row) ?? '') ? 'row-selected' : undefined}
              >
                {rowSelect && keyAt >= 0 && (
                  <td className="select-cell">
                    {selectedKey(row) !== null && (
                      <input
                        type="checkbox"
                        checked={rowSelect.isSelected(selectedKey(row) ?? '')}
                        aria-label={rowSelect.selectRowLabel(selectedKey(row) ?? '')}
                        onChange={() => rowSelect.toggle(selectedKey(row) ?? '')}
                      />
                    )}
                  </td>
                )}
                {columns.map((c, i) => (
                  <td key={c.key} className={cellClass(c, i)}>
                    {cellFilter?.columns.has(c.key) &&
                    row[i] !== null &&
                    row[i] !== undefined &&
                    row[i] !== '' ? (
                      <button
                        type="button"
                        className="cell-filter"
                        aria-pressed={cellFilter.isSelected(c.key, String(row[i]))}
                        title={t('ui.filterBy', { column: c.label, value: formatCell(row[i] ?? null, c) })}
                        onClick={(e) =>
                          cellFilter.activate(c.key, String(row[i]), e.ctrlKey || e.metaKey || e.shiftKey)
                        }
                      >
                        {formatCell(row[i] ?? null, c)}
                      </button>
                    ) : (
                      formatCell(row[i] ?? null, c)
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {footer}
    </div>
  );
}

function isNumeric(c: ResultColumn): boolean {
  return c.type === 'number';
}

/** Above this average length a text column wraps (titles, measures); shorter ones never do. */
const PROSE_AVERAGE_LENGTH = 28;

/**
 * Columns of running text: they get room and wrap at word boundaries, while ids, codes and dates
 * stay on one line (a wrapped "NCT0123 4567" or "COMPLETE D" is hard to read).
 */
function proseColumns(columns: readonly ResultColumn[], rows: readonly (readonly Cell[])[]): Set<number> {
  const out = new Set<number>();
  columns.forEach((c, i) => {
    if (c.type !== 'string' || rows.length === 0) return;
    let total = 0;
    for (const row of rows) {
      const v = row[i];
      total += typeof v === 'string' ? v.length : 0;
    }
    if (total / rows.length > PROSE_AVERAGE_LENGTH) out.add(i);
  });
  return out;
}

/** Select-all for the page: a native checkbox whose mixed state is set through the DOM property. */
function PageCheckbox(props: { state: 'all' | 'some' | 'none'; label: string; onToggle: () => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = props.state === 'some';
  }, [props.state]);
  return (
    <input
      ref={ref}
      type="checkbox"
      checked={props.state === 'all'}
      aria-checked={props.state === 'some' ? 'mixed' : props.state === 'all'}
      aria-label={props.label}
      onChange={props.onToggle}
    />
  );
}
