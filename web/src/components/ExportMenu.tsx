import { useRef } from 'react';
import type { SortSpec, WidgetDefinition } from '../../../contract/index.js';
import { exportChoicesFor, exportUrl } from '../app/export-links.js';
import { requestFilters, type FilterState } from '../app/filters/filter-state.js';
import { useDismissable } from '../hooks/useDismissable.js';

interface Props {
  readonly dashboardId: string;
  readonly widget: WidgetDefinition;
  readonly filters: FilterState;
  /** A table's current sort: the file follows it. */
  readonly sort?: SortSpec | undefined;
}

/**
 * The export menu of a data widget: a `<details>` disclosure (keyboard-operable without script: Tab
 * to it, Enter or Space opens, Tab through the formats, Escape closes) whose items are plain download
 * links, so the browser streams the file to disk. docs/exports.md.
 */
export function ExportMenu({ dashboardId, widget, filters, sort }: Props) {
  const menu = useRef<HTMLDetailsElement>(null);
  useDismissable(menu);
  const values = requestFilters(filters, widget.filters);
  return (
    <details className="export-menu" ref={menu} data-testid="export-menu">
      <summary className="button ghost small export-menu-button" aria-label={`Export ${widget.title}`}>
        Export
        <span aria-hidden="true" className="export-caret">
          ▾
        </span>
      </summary>
      <div className="export-menu-popup">
        <p className="export-menu-note">
          {widget.type === 'table' ? 'All rows' : 'The data shown'}
          {Object.keys(values).length > 0 ? ', with the current filters' : ''}
        </p>
        <ul aria-label={`Download ${widget.title} as`}>
          {exportChoicesFor(widget).map((choice) => (
            <li key={choice.label}>
              <a
                href={exportUrl(dashboardId, widget.id, choice, values, sort)}
                download
                data-format={choice.bom ? `${choice.format}-bom` : choice.format}
                onClick={() => {
                  if (menu.current) menu.current.open = false;
                }}
              >
                {choice.label}
              </a>
            </li>
          ))}
        </ul>
      </div>
    </details>
  );
}
