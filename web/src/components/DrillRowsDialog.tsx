import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useEffect, useId, useRef, useState } from 'react';
import type { WidgetDefinition } from '../../../contract/index.js';
import { drillRowsQuery } from '../api/queries.js';
import { requestFilters, type FilterState } from '../app/filters/filter-state.js';
import { TableWidget } from './TableWidget.js';
import { WidgetError, WidgetSkeleton } from './WidgetStates.js';

/** The mark whose rows are shown: what it reads as, and its values by result column. */
export interface DrillMark {
  readonly label: string;
  readonly values: Readonly<Record<string, string>>;
}

/**
 * The rows behind a mark (widget `drill.rows`), a page at a time, in a modal dialog (native <dialog>:
 * focus moves in, Escape closes, focus returns to the mark that opened it). Only the widget id, the
 * filter values, the drill path and the mark's values go to the server; the columns are the project's.
 */
export function DrillRowsDialog(props: {
  dashboardId: string;
  widget: WidgetDefinition;
  filters: FilterState;
  drillPath: readonly string[] | undefined;
  mark: DrillMark;
  onClose: () => void;
}) {
  const { widget, mark } = props;
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  const pageSize = widget.drillRows?.pageSize ?? 25;
  const [offset, setOffset] = useState(0);
  const query = useQuery({
    ...drillRowsQuery(
      props.dashboardId,
      widget.id,
      {
        filters: requestFilters(props.filters, widget.filters),
        mark: mark.values,
        page: { offset, limit: pageSize },
        ...(props.drillPath?.length ? { drill: props.drillPath } : {}),
      },
      widget.freshnessMs,
    ),
    placeholderData: keepPreviousData,
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const cancel = (event: Event) => {
      event.preventDefault();
      onClose.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, []);

  const title = mark.label ? `${widget.title}: rows behind ${mark.label}` : `${widget.title}: rows`;
  return (
    <dialog
      ref={ref}
      className="dialog drill-rows-dialog"
      aria-labelledby={titleId}
      data-testid="drill-rows"
      aria-busy={query.isFetching}
    >
      <div className="log-dialog-head">
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        <button type="button" className="button secondary small" onClick={props.onClose}>
          {t('ui.close')}
        </button>
      </div>
      {query.isError && query.error ? (
        <WidgetError error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
      ) : !query.data ? (
        <WidgetSkeleton type="table" />
      ) : (
        <TableWidget
          widget={{ ...widget, title, sortable: [] }}
          data={query.data}
          offset={offset}
          pageSize={pageSize}
          onPage={setOffset}
          onSort={() => undefined}
        />
      )}
    </dialog>
  );
}
