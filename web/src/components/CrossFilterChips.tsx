import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { DashboardDefinition } from '../../../contract/index.js';
import type { DashboardFilters } from '../hooks/useDashboardFilters.js';

/**
 * What clicks on marks have applied, one chip per filter ("Phase: Phase 2, Phase 3 ×"), with the
 * widget it came from. A chip's × clears it; Escape anywhere outside a field or dialog clears all.
 */
export function CrossFilterChips({
  definition,
  filters,
}: {
  definition: DashboardDefinition;
  filters: DashboardFilters;
}) {
  const { t } = useTranslation();
  const { cross, clearCross } = filters;
  const any = cross.length > 0;
  useEffect(() => {
    if (!any) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      // Escape in a field or an open dialog/popup belongs to that control.
      if (t?.closest('input, textarea, select, [role="dialog"], [role="combobox"], [aria-expanded="true"]'))
        return;
      clearCross();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [any, clearCross]);

  return (
    <section
      className="cross-filter-bar"
      aria-label={t('filters.appliedFromCharts')}
      aria-live="polite"
      hidden={!any}
    >
      {any && (
        <>
          <span className="cross-filter-label">{t('filters.fromCharts')}</span>
          {cross.map((c) => {
            const label = definition.filters.find((f) => f.id === c.filter)?.label ?? c.filter;
            const source = definition.widgets.find((w) => w.id === c.source)?.title ?? c.source;
            const text = `${label}: ${c.values.join(', ')}`;
            return (
              <span
                className="chip"
                key={c.filter}
                data-testid="cross-filter-chip"
                title={t('filters.setFrom', { source })}
              >
                {text}
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={t('filters.clear', { text })}
                  onClick={() => clearCross(c.filter)}
                >
                  ×
                </button>
              </span>
            );
          })}
          {cross.length > 1 && (
            <button type="button" className="button ghost small" onClick={() => clearCross()}>
              {t('ui.clearAll')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
