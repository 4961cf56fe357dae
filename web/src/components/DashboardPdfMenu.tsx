import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { loadPageTexts } from '../app/i18n/i18n.js';
import { useLazyMenu } from '../hooks/useLazyMenu.js';
import type { DashboardPdfMenuProps } from './DashboardPdfPanel.js';
import { MenuLoading } from './MenuLoading.js';

// Paper, orientation and their texts are a chunk loaded when the menu is first opened (or about to be).
const loadPanel = () =>
  Promise.all([import('./DashboardPdfPanel.js'), loadPageTexts()]).then(([m]) => ({
    default: m.DashboardPdfPanel,
  }));
const DashboardPdfPanel = lazy(loadPanel);

/**
 * The dashboard's "PDF / PNG" menu (docs/exports.md): a `<details>` disclosure like the widgets' Export
 * menu — keyboard-operable, Escape closes; its panel (DashboardPdfPanel.tsx) starts the job.
 */
export function DashboardPdfMenu(props: DashboardPdfMenuProps) {
  const menu = useLazyMenu();
  const { t } = useTranslation();
  const preload = () => void loadPanel();
  return (
    <details className="export-menu pdf-menu" ref={menu.ref} data-testid="pdf-menu" onToggle={menu.onToggle}>
      <summary
        className="button secondary small export-menu-button"
        aria-label={t('exportMenu.pdfOrPngOf', { title: props.definition.title })}
        onPointerEnter={preload}
        onFocus={preload}
      >
        {t('exportMenu.menuButton')}
        <span aria-hidden="true" className="export-caret">
          ▾
        </span>
      </summary>
      {menu.opened && (
        <Suspense fallback={<MenuLoading className="export-menu-popup pdf-menu-popup" />}>
          <DashboardPdfPanel {...props} close={menu.close} />
        </Suspense>
      )}
    </details>
  );
}
