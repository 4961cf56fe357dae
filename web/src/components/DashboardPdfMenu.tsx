import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useId, useRef, useState } from 'react';
import type { DashboardDefinition } from '../../../contract/index.js';
import { exportsClient } from '../api/exports-api.js';
import { exportKeys } from '../api/exports-queries.js';
import type { FilterState } from '../app/filters/filter-state.js';
import { formatFilterQuery } from '../app/filters/filter-url.js';
import { showToast } from '../app/shell/toasts.js';
import { useDismissable } from '../hooks/useDismissable.js';

type Paper = 'A4' | 'Letter';
type Orientation = 'portrait' | 'landscape';

/**
 * The dashboard's "PDF / PNG" menu (docs/exports.md): paper and orientation, then a job on the worker
 * that prints the dashboard with the filters of the bar — or draws it as one full-page PNG; followed on the Exports page with a toast when ready.
 * A `<details>` disclosure like the widgets' Export menu: keyboard-operable, Escape closes.
 */
export function DashboardPdfMenu({
  definition,
  filters,
}: {
  definition: DashboardDefinition;
  filters: FilterState;
}) {
  const menu = useRef<HTMLDetailsElement>(null);
  useDismissable(menu);
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
      if (menu.current) menu.current.open = false;
      void queryClient.invalidateQueries({ queryKey: exportKeys.all() });
      showToast({
        kind: 'info',
        title: t(format === 'pdf' ? 'exportMenu.pdfStarted' : 'exportMenu.pngStarted'),
        message: t(format === 'pdf' ? 'exportMenu.pdfStartedMessage' : 'exportMenu.pngStartedMessage', {
          title: definition.title,
        }),
        key: `export:${file.id}`,
      });
    } catch (err) {
      showToast({
        kind: 'error',
        title: t(format === 'pdf' ? 'exportMenu.pdfFailed' : 'exportMenu.pngFailed'),
        message: (err as Error).message,
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="export-menu pdf-menu" ref={menu} data-testid="pdf-menu">
      <summary
        className="button secondary small export-menu-button"
        aria-label={t('exportMenu.pdfOrPngOf', { title: definition.title })}
      >
        {t('exportMenu.menuButton')}
        <span aria-hidden="true" className="export-caret">
          ▾
        </span>
      </summary>
      <div className="export-menu-popup pdf-menu-popup">
        <p className="export-menu-note">{t('exportMenu.pdfNote')}</p>
        <fieldset>
          <legend>{t('exportMenu.paper')}</legend>
          {(['A4', 'Letter'] as const).map((p) => (
            <label key={p}>
              <input type="radio" name={`${id}-paper`} checked={paper === p} onChange={() => setPaper(p)} />{' '}
              {p}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('exportMenu.orientation')}</legend>
          {(['portrait', 'landscape'] as const).map((o) => (
            <label key={o}>
              <input
                type="radio"
                name={`${id}-orientation`}
                checked={orientation === o}
                onChange={() => setOrientation(o)}
              />{' '}
              {o === 'portrait' ? t('exportMenu.portrait') : t('exportMenu.landscape')}
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
          {busy ? t('exportMenu.starting') : t('exportMenu.createPdf')}
        </button>
        <p className="export-menu-note">{t('exportMenu.pngNote')}</p>
        <button
          type="button"
          className="button small secondary"
          data-format="png"
          disabled={busy}
          onClick={() => void start('png')}
        >
          {t('exportMenu.createPng')}
        </button>
      </div>
    </details>
  );
}
