import { useCallback, useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { DateRangeValue, FilterDefinition } from '../../../contract/index.js';
import { isIsoDate } from '../app/filters/filter-state.js';
import { useDraft } from '../hooks/useDraft.js';

interface Props {
  readonly filter: FilterDefinition;
  readonly value: DateRangeValue | undefined;
  readonly onChange: (value: DateRangeValue) => void;
}

/** Native date pickers type a year digit by digit; wait until the date is finished. */
const COMMIT_DELAY_MS = 600;

const sameRange = (a: DateRangeValue, b: DateRangeValue) =>
  (a.from ?? '') === (b.from ?? '') && (a.to ?? '') === (b.to ?? '');

/** Two native date inputs; an open side means "no bound". A reversed range is shown, not sent. */
export function DateRange({ filter, value, onChange }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const committed = value ?? EMPTY;
  const commit = useCallback(
    (next: DateRangeValue) => {
      if (valid(next)) onChange(next);
    },
    [onChange],
  );
  const [draft, setDraft, flush] = useDraft(committed, commit, {
    delayMs: COMMIT_DELAY_MS,
    equals: sameRange,
  });
  const reversed = !!draft.from && !!draft.to && draft.from > draft.to;

  const set = (side: 'from' | 'to', v: string) => {
    const next: DateRangeValue = { ...draft };
    if (v && isIsoDate(v)) next[side] = v;
    else delete next[side];
    setDraft(next);
  };

  return (
    <fieldset className="filter range" data-filter-id={filter.id}>
      <legend className="filter-label">{filter.label}</legend>
      <div className="range-inputs">
        <label className="range-side" htmlFor={`${id}-from`}>
          <span>{t('filters.from')}</span>
          <input
            id={`${id}-from`}
            type="date"
            value={draft.from ?? ''}
            max={draft.to}
            onChange={(e) => set('from', e.target.value)}
            onBlur={flush}
            aria-invalid={reversed}
          />
        </label>
        <label className="range-side" htmlFor={`${id}-to`}>
          <span>{t('filters.to')}</span>
          <input
            id={`${id}-to`}
            type="date"
            value={draft.to ?? ''}
            min={draft.from}
            onChange={(e) => set('to', e.target.value)}
            onBlur={flush}
            aria-invalid={reversed}
          />
        </label>
      </div>
      {reversed && (
        <p className="field-error" role="alert">
          {t('ui.fromAfterTo')}
        </p>
      )}
    </fieldset>
  );
}

const EMPTY: DateRangeValue = {};

function valid(r: DateRangeValue): boolean {
  return !r.from || !r.to || r.from <= r.to;
}
