import type { SortSpec, WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../charts/value-format.js';
import {
  keyOf,
  pageState,
  togglePage,
  toggleKey,
  type RowSelection,
} from '../app/action-widget/row-selection.js';
import { DataTable, type CellFilter, type RowSelect } from './DataTable.js';

interface Props {
  readonly widget: WidgetDefinition;
  readonly data: WidgetDataResponse;
  readonly offset: number;
  readonly pageSize: number;
  readonly onPage: (offset: number) => void;
  readonly onSort: (sort: SortSpec) => void;
  readonly cellFilter?: CellFilter | undefined;
  /** An action reads this table's selected rows (widget.selection): the keys and how to change them. */
  readonly selected?:
    { readonly value: RowSelection; readonly onChange: (s: RowSelection) => void } | undefined;
}

/**
 * A server-paged table: only one page ever reaches the browser. The server reports the sort it
 * applied (the widget's default until a header is clicked), so the arrows always tell the truth.
 */
export function TableWidget({ widget, data, offset, pageSize, onPage, onSort, cellFilter, selected }: Props) {
  const { t } = useTranslation();
  const total = data.total ?? data.rows.length;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + data.rows.length, total);
  const page = Math.floor(offset / pageSize) + 1;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const sort = data.sort;

  const toggleSort = (column: string) => {
    const direction = sort?.column === column && sort.direction === 'asc' ? 'desc' : 'asc';
    onSort({ column, direction });
  };

  const spec = widget.selection;
  let rowSelect: RowSelect | undefined;
  if (spec && selected) {
    const keyAt = data.columns.findIndex((c) => c.key === spec.keyColumn);
    const pageKeys = data.rows.map((r) => keyOf(r[keyAt])).filter((k): k is string => k !== null);
    const sel = selected.value;
    rowSelect = {
      keyColumn: spec.keyColumn,
      isSelected: (key) => sel.keys.includes(key),
      toggle: (key) => selected.onChange(toggleKey(sel, key, spec.max)),
      page: pageState(sel, pageKeys),
      togglePage: () => selected.onChange(togglePage(sel, pageKeys, spec.max)),
      selectPageLabel: t('action.selectPage'),
      selectRowLabel: (key) => t('action.selectRow', { key }),
    };
  }
  const table = (
    <DataTable
      caption={widget.title}
      columns={data.columns}
      rows={data.rows}
      sortable={widget.sortable}
      sort={sort}
      onSort={toggleSort}
      cellFilter={cellFilter}
      footer={
        <nav className="pager" aria-label={t('pager.label', { title: widget.title })}>
          <span className="pager-range" aria-live="polite">
            {t('pager.range', { first: formatNumber(first, 'integer'), last: formatNumber(last, 'integer') })}{' '}
            <span className="pager-total">{formatNumber(total, 'integer')}</span>
          </span>
          <span className="pager-buttons">
            <button
              type="button"
              className="button secondary"
              onClick={() => onPage(Math.max(0, offset - pageSize))}
              disabled={offset === 0}
            >
              {t('pager.previous')}
            </button>
            <span className="pager-page">
              {t('pager.page', {
                page: formatNumber(page, 'integer'),
                pages: formatNumber(pages, 'integer'),
              })}
            </span>
            <button
              type="button"
              className="button secondary"
              onClick={() => onPage(offset + pageSize)}
              disabled={offset + pageSize >= total}
            >
              {t('pager.next')}
            </button>
          </span>
        </nav>
      }
      rowSelect={rowSelect}
    />
  );
  if (!rowSelect || !selected) return table;
  const sel = selected.value;
  return (
    <>
      <div className="selection-bar">
        <span role="status" className="selection-count" data-testid="selection-count">
          {t('action.selected', { count: sel.keys.length })}
        </span>
        {sel.refused > 0 && (
          <span className="field-error" role="alert">
            {t('action.tooMany', { max: spec?.max ?? 0 })}
          </span>
        )}
        {sel.keys.length > 0 && (
          <button
            type="button"
            className="button ghost small"
            onClick={() => selected.onChange({ keys: [], refused: 0 })}
          >
            {t('action.clear')}
          </button>
        )}
      </div>
      {table}
    </>
  );
}
