import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useRef } from 'react';
import type { ExportFormatName, SortSpec, WidgetDefinition } from '../../../contract/index.js';
import { exportsClient } from '../api/exports-api.js';
import { exportKeys } from '../api/exports-queries.js';
import { exportChoicesFor, exportUrl } from '../app/export-links.js';
import { formatCount } from '../app/jobs/job-format.js';
import { showToast } from '../app/shell/toasts.js';
import { formatDataTime } from '../app/shell/stale-data.js';
import { filtersLine } from '../charts/chart-image.js';
import type { ChartSnapshot } from './ChartView.js';
import { chartImage, downloadChartImage } from './chart-download.js';
import { requestFilters, type FilterState } from '../app/filters/filter-state.js';
import { useDismissable } from '../hooks/useDismissable.js';

interface Props {
  readonly dashboardId: string;
  readonly widget: WidgetDefinition;
  readonly filters: FilterState;
  /** A table's current sort: the file follows it. */
  readonly sort?: SortSpec | undefined;
  /** A chart on screen: PNG and SVG of it, drawn in the browser, are offered too. */
  readonly chart?: { readonly snapshot: () => ChartSnapshot | undefined; readonly asOf: string } | undefined;
}

/**
 * The export menu of a data widget: a `<details>` disclosure (keyboard-operable without script: Tab
 * to it, Enter or Space opens, Tab through the formats, Escape closes) whose items are plain download
 * links, so the browser streams the file to disk. docs/exports.md.
 */
export function ExportMenu({ dashboardId, widget, filters, sort, chart }: Props) {
  const menu = useRef<HTMLDetailsElement>(null);
  const queryClient = useQueryClient();
  const { t } = useTranslation();
  useDismissable(menu);
  const values = requestFilters(filters, widget.filters);
  /**
   * Asks the server first: a small export downloads at once (the same link, streamed to disk); one
   * beyond the server's row threshold is queued as a job, followed on the Exports page.
   */
  const start = async (choice: { format: ExportFormatName; bom?: boolean | undefined }, href: string) => {
    try {
      const result = await exportsClient.start({
        dashboard: dashboardId,
        widget: widget.id,
        format: choice.format,
        bom: choice.bom ?? false,
        filters: values,
        ...(sort ? { sort } : {}),
      });
      if (result.mode === 'direct') {
        downloadLink(href);
        return;
      }
      void queryClient.invalidateQueries({ queryKey: exportKeys.all() });
      showToast({
        kind: 'info',
        title: t('exportMenu.started'),
        message: t('exportMenu.startedMessage', {
          count: result.export.rowsTotal ?? 0,
          n: formatCount(result.export.rowsTotal ?? 0),
        }),
        key: `export:${result.export.id}`,
      });
    } catch (err) {
      showToast({
        kind: 'error',
        title: t('exportMenu.failed', { title: widget.title }),
        message: (err as Error).message,
      });
    }
  };
  const saveImage = async (format: 'png' | 'svg') => {
    if (menu.current) menu.current.open = false;
    const snapshot = chart?.snapshot();
    try {
      if (!chart || !snapshot) throw new Error(t('exportMenu.notDrawn'));
      const image = chartImage(snapshot, {
        title: widget.title,
        filters: filtersLine(values),
        dataTime: t('exportMenu.dataAsOf', { time: formatDataTime(chart.asOf, new Date(0)) }),
      });
      await downloadChartImage(image, format, { dashboard: dashboardId, widget: widget.id });
    } catch (err) {
      showToast({
        kind: 'error',
        title: t('exportMenu.saveFailed', { title: widget.title }),
        message: (err as Error).message,
      });
    }
  };
  return (
    <details className="export-menu" ref={menu} data-testid="export-menu">
      <summary
        className="button ghost small export-menu-button"
        aria-label={t('exportMenu.exportNamed', { title: widget.title })}
      >
        {t('exportMenu.export')}
        <span aria-hidden="true" className="export-caret">
          ▾
        </span>
      </summary>
      <div className="export-menu-popup">
        <p className="export-menu-note">
          {widget.type === 'table' ? t('exportMenu.allRows') : t('exportMenu.dataShown')}
          {Object.keys(values).length > 0 ? t('exportMenu.withFilters') : ''}
        </p>
        <ul aria-label={t('exportMenu.downloadAs', { title: widget.title })}>
          {exportChoicesFor(widget).map((choice) => (
            <li key={choice.label}>
              <a
                href={exportUrl(dashboardId, widget.id, choice, values, sort)}
                download
                data-format={choice.bom ? `${choice.format}-bom` : choice.format}
                onClick={(event) => {
                  // Without script the link still downloads directly (the server streams any size).
                  event.preventDefault();
                  if (menu.current) menu.current.open = false;
                  void start(choice, event.currentTarget.href);
                }}
              >
                {t(`exportMenu.formats.${choice.key}`)}
              </a>
            </li>
          ))}
          {chart && (
            <>
              <li className="export-menu-separator" role="presentation" />
              <li>
                <button type="button" data-format="png" onClick={() => void saveImage('png')}>
                  {t('exportMenu.png')}
                </button>
              </li>
              <li>
                <button type="button" data-format="svg" onClick={() => void saveImage('svg')}>
                  {t('exportMenu.svg')}
                </button>
              </li>
            </>
          )}
        </ul>
      </div>
    </details>
  );
}

/** Starts a download of `href` the way a click on a download link does (streamed to disk). */
function downloadLink(href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = '';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
}
