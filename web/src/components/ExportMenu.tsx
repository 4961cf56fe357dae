import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { loadPageTexts } from '../app/i18n/i18n.js';
import { useLazyMenu } from '../hooks/useLazyMenu.js';
import type { ExportMenuProps } from './ExportMenuPanel.js';
import { MenuLoading } from './MenuLoading.js';

// The formats, the chart-image code and their texts are a chunk loaded when a menu is first opened
// (or about to be: pointer or focus on the button); a first view of a dashboard needs only the button.
const loadPanel = () =>
  Promise.all([import('./ExportMenuPanel.js'), loadPageTexts()]).then(([m]) => ({
    default: m.ExportMenuPanel,
  }));
const ExportMenuPanel = lazy(loadPanel);

/**
 * The export menu of a data widget: a `<details>` disclosure (keyboard-operable: Tab to it, Enter or
 * Space opens, Tab through the formats, Escape closes); its items (ExportMenuPanel.tsx) are plain
 * download links, so the browser streams the file to disk. docs/exports.md.
 */
export function ExportMenu(props: ExportMenuProps) {
  const menu = useLazyMenu();
  const { t } = useTranslation();
  const preload = () => void loadPanel();
  return (
    <details className="export-menu" ref={menu.ref} data-testid="export-menu" onToggle={menu.onToggle}>
      <summary
        className="button secondary small export-menu-button"
        aria-label={t('exportMenu.exportNamed', { title: props.widget.title })}
        onPointerEnter={preload}
        onFocus={preload}
      >
        {t('exportMenu.export')}
        <span aria-hidden="true" className="export-caret">
          ▾
        </span>
      </summary>
      {menu.opened && (
        <Suspense fallback={<MenuLoading className="export-menu-popup" />}>
          <ExportMenuPanel {...props} close={menu.close} />
        </Suspense>
      )}
    </details>
  );
}
