import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { DateRangeValue, FilterDefinition, NumberRangeValue } from '../../../contract/index.js';
import type { DashboardFilters } from '../hooks/useDashboardFilters.js';
import { DateRange } from './DateRange.js';
import { MultiSelect } from './MultiSelect.js';
import { NumberRange } from './NumberRange.js';
import { TextContains } from './TextContains.js';

interface Props {
  readonly dashboardId: string;
  readonly filters: readonly FilterDefinition[];
  readonly state: DashboardFilters;
  /** More actions beside Reset (the presets menu). */
  readonly actions?: ReactNode;
}

/** One control per filter, in the project file's order, and a Reset that clears them all. */
export function FilterBar({ dashboardId, filters, state, actions }: Props) {
  const { t } = useTranslation();
  if (!filters.length) return null;
  return (
    <section className="filter-bar" aria-label={t('filters.label')}>
      <div className="filter-controls">
        {filters.map((f) => (
          <FilterControl key={f.id} dashboardId={dashboardId} filter={f} state={state} />
        ))}
      </div>
      <div className="filter-actions">
        {actions}
        <button
          type="button"
          className="button secondary"
          onClick={state.reset}
          disabled={state.activeCount === 0}
        >
          {t('ui.resetFilters')}
          {state.activeCount ? ` (${state.activeCount})` : ''}
        </button>
      </div>
    </section>
  );
}

function FilterControl({
  dashboardId,
  filter,
  state,
}: {
  dashboardId: string;
  filter: FilterDefinition;
  state: DashboardFilters;
}) {
  const value = state.state[filter.id];
  const set = (v: unknown) => state.setFilter(filter, v);
  switch (filter.type) {
    case 'multi_select':
      return (
        <MultiSelect
          dashboardId={dashboardId}
          filter={filter}
          value={Array.isArray(value) ? value : EMPTY_LIST}
          onChange={set}
        />
      );
    case 'date_range':
      return <DateRange filter={filter} value={value as DateRangeValue | undefined} onChange={set} />;
    case 'number_range':
      return <NumberRange filter={filter} value={value as NumberRangeValue | undefined} onChange={set} />;
    case 'text':
      return (
        <TextContains filter={filter} value={typeof value === 'string' ? value : undefined} onChange={set} />
      );
  }
}

const EMPTY_LIST: readonly string[] = [];
