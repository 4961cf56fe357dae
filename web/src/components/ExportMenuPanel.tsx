import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
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

export interface ExportMenuProps {
  readonly dashboardId: string;
  readonly widget: WidgetDefinition;
  readonly filters: FilterState;
  /** A table's current sort: the file follows it. */
  readonly sort?: SortSpec | undefined;
  /** A chart on screen: PNG and SVG of it, drawn in the browser, are offered too. */
  readonly chart?: { readonly snapshot: () => ChartSnapshot | undefined; readonly asOf: string } | undefined;
}

/**
 * Inside the widgets' Export menu (ExportMenu.tsx holds the disclosure and its button): the formats as
 * plain download links, so the browser streams the file to disk, and a chart's PNG and SVG. A chunk
 * of its own with its texts (exportPanel.*), loaded when a menu is first opened. docs/exports.md.
 */
export function ExportMenuPanel({
  dashboardId,
  widget,
  filters,
  sort,
  chart,
  close,
}: ExportMenuProps & { readonly close: () => void }) {
  const queryClient = useQueryClient();
  const { t } = useTranslation();
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
        title: t('exportPanel.started'),
        message: t('exportPanel.startedMessage', {
          count: result.export.rowsTotal ?? 0,
          n: formatCount(result.export.rowsTotal ?? 0),
        }),
        key: `export:${result.export.id}`,
      });
    } catch (err) {
      showToast({
        kind: 'error',
        title: t('exportPanel.failed', { title: widget.title }),
        message: (err as Error).message,
      });
    }
  };
  const saveImage = async (format: 'png' | 'svg') => {
    close();
    const snapshot = chart?.snapshot();
    try {
      if (!chart || !snapshot) throw new Error(t('exportPanel.notDrawn'));
      const image = chartImage(snapshot, {
        title: widget.title,
        filters: filtersLine(values),
        dataTime: t('exportPanel.dataAsOf', { time: formatDataTime(chart.asOf, new Date(0)) }),
      });
      await downloadChartImage(image, format, { dashboard: dashboardId, widget: widget.id });
    } catch (err) {
      showToast({
        kind: 'error',
        title: t('exportPanel.saveFailed', { title: widget.title }),
        message: (err as Error).message,
      });
    }
  };
  return (
    <div className="export-menu-popup">
      <p className="export-menu-note">
        {widget.type === 'table' ? t('exportPanel.allRows') : t('exportPanel.dataShown')}
        {Object.keys(values).length > 0 ? t('exportPanel.withFilters') : ''}
      </p>
      <ul aria-label={t('exportPanel.downloadAs', { title: widget.title })}>
        {exportChoicesFor(widget).map((choice) => (
          <li key={choice.label}>
            <a
              href={exportUrl(dashboardId, widget.id, choice, values, sort)}
              download
              data-format={choice.bom ? `${choice.format}-bom` : choice.format}
              onClick={(event) => {
                // Without script the link still downloads directly (the server streams any size).
                event.preventDefault();
                close();
                void start(choice, event.currentTarget.href);
              }}
            >
              {t(`exportPanel.formats.${choice.key}`)}
            </a>
          </li>
        ))}
        {chart && (
          <>
            <li className="export-menu-separator" role="presentation" />
            <li>
              <button type="button" data-format="png" onClick={() => void saveImage('png')}>
                {t('exportPanel.png')}
              </button>
            </li>
            <li>
              <button type="button" data-format="svg" onClick={() => void saveImage('svg')}>
                {t('exportPanel.svg')}
              </button>
            </li>
          </>
        )}
      </ul>
    </div>
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
