import { useQueryClient } from '@tanstack/react-query';
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
  const queryClient = useQueryClient();
  const [paper, setPaper] = useState<Paper>('A4');
  const [orientation, setOrientation] = useState<Orientation>('portrait');
  const [busy, setBusy] = useState(false);
  const id = useId();
  const start = async (format: 'pdf' | 'png') => {
    setBusy(true);
    const what = format === 'pdf' ? 'PDF' : 'PNG';
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
        title: `${what} started`,
        message: `${definition.title} is being ${format === 'pdf' ? 'printed' : 'drawn'} in the background. Follow it on the Exports page; you will be told when it is ready.`,
        key: `export:${file.id}`,
      });
    } catch (err) {
      showToast({ kind: 'error', title: `Could not start the ${what}`, message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="export-menu pdf-menu" ref={menu} data-testid="pdf-menu">
      <summary
        className="button secondary small export-menu-button"
        aria-label={`PDF or PNG of ${definition.title}`}
      >
        PDF / PNG
        <span aria-hidden="true" className="export-caret">
          ▾
        </span>
      </summary>
      <div className="export-menu-popup pdf-menu-popup">
        <p className="export-menu-note">The whole dashboard, with the current filters</p>
        <fieldset>
          <legend>Paper</legend>
          {(['A4', 'Letter'] as const).map((p) => (
            <label key={p}>
              <input type="radio" name={`${id}-paper`} checked={paper === p} onChange={() => setPaper(p)} />{' '}
              {p}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Orientation</legend>
          {(['portrait', 'landscape'] as const).map((o) => (
            <label key={o}>
              <input
                type="radio"
                name={`${id}-orientation`}
                checked={orientation === o}
                onChange={() => setOrientation(o)}
              />{' '}
              {o === 'portrait' ? 'Portrait' : 'Landscape'}
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
          {busy ? 'Starting…' : 'Create PDF'}
        </button>
        <p className="export-menu-note">Or the whole page as one image (paper does not apply)</p>
        <button
          type="button"
          className="button small secondary"
          data-format="png"
          disabled={busy}
          onClick={() => void start('png')}
        >
          Full-page PNG
        </button>
      </div>
    </details>
  );
}
