import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useId, useState } from 'react';
import type { DashboardDefinition } from '../../../contract/index.js';
import { exportsClient } from '../api/exports-api.js';
import { exportKeys } from '../api/exports-queries.js';
import type { FilterState } from '../app/filters/filter-state.js';
import { formatFilterQuery } from '../app/filters/filter-url.js';
import { showToast } from '../app/shell/toasts.js';

type Paper = 'A4' | 'Letter';
type Orientation = 'portrait' | 'landscape';

export interface DashboardPdfMenuProps {
  readonly definition: DashboardDefinition;
  readonly filters: FilterState;
}

/**
 * Inside the dashboard's "PDF / PNG" menu (DashboardPdfMenu.tsx holds the disclosure and its button):
 * paper and orientation, then a job on the worker that prints the dashboard with the filters of the
 * bar — or draws it as one full-page PNG; followed on the Exports page with a toast when ready. A chunk
 * of its own with its texts (exportPanel.*), loaded when the menu is first opened. docs/exports.md.
 */
export function DashboardPdfPanel({
  definition,
  filters,
  close,
}: DashboardPdfMenuProps & { readonly close: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [paper, setPaper] = useState<Paper>('A4');
  const [orientation, setOrientation] = useState<Orientation>('portrait');
  const [busy, setBusy] = useState(false);
  const id = useId();
  const start = async (format: 'pdf' | 'png') => {
    setBusy(true);
    try {
      const file = await exportsClient.startPdf({
        dashboard: definition.id,
        format,
        paper,
        orientation,
        query: formatFilterQuery(filters, definition.filters),
      });
      close();
      void queryClient.invalidateQueries({ queryKey: exportKeys.all() });
      showToast({
        kind: 'info',
        title: t(format === 'pdf' ? 'exportPanel.pdfStarted' : 'exportPanel.pngStarted'),
        message: t(format === 'pdf' ? 'exportPanel.pdfStartedMessage' : 'exportPanel.pngStartedMessage', {
          title: definition.title,
        }),
        key: `export:${file.id}`,
      });
    } catch (err) {
      showToast({
        kind: 'error',
        title: t(format === 'pdf' ? 'exportPanel.pdfFailed' : 'exportPanel.pngFailed'),
        message: (err as Error).message,
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="export-menu-popup pdf-menu-popup">
      <p className="export-menu-note">{t('exportPanel.pdfNote')}</p>
      <fieldset>
        <legend>{t('exportPanel.paper')}</legend>
        {(['A4', 'Letter'] as const).map((p) => (
          <label key={p}>
            <input type="radio" name={`${id}-paper`} checked={paper === p} onChange={() => setPaper(p)} /> {p}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('exportPanel.orientation')}</legend>
        {(['portrait', 'landscape'] as const).map((o) => (
          <label key={o}>
            <input
              type="radio"
              name={`${id}-orientation`}
              checked={orientation === o}
              onChange={() => setOrientation(o)}
            />{' '}
            {o === 'portrait' ? t('exportPanel.portrait') : t('exportPanel.landscape')}
          </label>
        ))}
      </fieldset>
      <button
        type="button"
        className="button small"
        data-format="pdf"
        disabled={busy}
        onClick={() => void start('pdf')}
      >
        {busy ? t('exportPanel.starting') : t('exportPanel.createPdf')}
      </button>
      <p className="export-menu-note">{t('exportPanel.pngNote')}</p>
      <button
        type="button"
        className="button small secondary"
        data-format="png"
        disabled={busy}
        onClick={() => void start('png')}
      >
        {t('exportPanel.createPng')}
      </button>
    </div>
  );
}
