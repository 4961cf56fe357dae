import type { SortSpec, WidgetDataResponse, WidgetDefinition } from '../../../contract/index.js';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../charts/value-format.js';
import { DataTable, type CellFilter } from './DataTable.js';

interface Props {
  readonly widget: WidgetDefinition;
  readonly data: WidgetDataResponse;
  readonly offset: number;
  readonly pageSize: number;
  readonly onPage: (offset: number) => void;
  readonly onSort: (sort: SortSpec) => void;
  readonly cellFilter?: CellFilter | undefined;
}

/**
 * A server-paged table: only one page ever reaches the browser. The server reports the sort it
 * applied (the widget's default until a header is clicked), so the arrows always tell the truth.
 */
export function TableWidget({ widget, data, offset, pageSize, onPage, onSort, cellFilter }: Props) {
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

  return (
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
    />
  );
}
