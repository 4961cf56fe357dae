import { useCallback, useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { FilterDefinition, NumberRangeValue } from '../../../contract/index.js';
import { useDraft } from '../hooks/useDraft.js';

interface Props {
  readonly filter: FilterDefinition;
  readonly value: NumberRangeValue | undefined;
  readonly onChange: (value: NumberRangeValue) => void;
}

const COMMIT_DELAY_MS = 500;

/** The inputs hold text while editing ("1e", "-") and become numbers only when they parse. */
interface Draft {
  readonly min: string;
  readonly max: string;
}
const sameDraft = (a: Draft, b: Draft) => a.min === b.min && a.max === b.max;

/** Two number inputs with the bounds and step from the project file; an empty side is open. */
export function NumberRange({ filter, value, onChange }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const committed = useMemo<Draft>(
    () => ({
      min: value?.min === undefined ? '' : String(value.min),
      max: value?.max === undefined ? '' : String(value.max),
    }),
    [value?.min, value?.max],
  );
  const commit = useCallback(
    (d: Draft) => {
      const range = toRange(d);
      if (range) onChange(range);
    },
    [onChange],
  );
  const [draft, setDraft, flush] = useDraft(committed, commit, {
    delayMs: COMMIT_DELAY_MS,
    equals: sameDraft,
  });
  const problem = describeProblem(draft);

  const input = (side: 'min' | 'max', label: string) => (
    <label className="range-side" htmlFor={`${id}-${side}`}>
      <span>{label}</span>
      <input
        id={`${id}-${side}`}
        type="number"
        inputMode="decimal"
        value={draft[side]}
        min={filter.min}
        max={filter.max}
        step={filter.step ?? 'any'}
        placeholder={
          side === 'min'
            ? filter.min === undefined
              ? t('filters.min')
              : String(filter.min)
            : filter.max === undefined
              ? t('filters.max')
              : String(filter.max)
        }
        onChange={(e) => setDraft({ ...draft, [side]: e.target.value })}
        onBlur={flush}
        onKeyDown={(e) => {
          if (e.key === 'Enter') flush();
        }}
        aria-invalid={!!problem}
      />
    </label>
  );

  return (
    <fieldset className="filter range" data-filter-id={filter.id}>
      <legend className="filter-label">{filter.label}</legend>
      <div className="range-inputs">
        {input('min', t('filters.min'))}
        {input('max', t('filters.max'))}
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}

function parse(s: string): number | undefined | null {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function toRange(d: Draft): NumberRangeValue | undefined {
  const min = parse(d.min);
  const max = parse(d.max);
  if (min === null || max === null) return undefined;
  if (min !== undefined && max !== undefined && min > max) return undefined;
  const out: NumberRangeValue = {};
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  return out;
}

function describeProblem(d: Draft): string | undefined {
  const min = parse(d.min);
  const max = parse(d.max);
  if (min === null || max === null) return 'Enter a number.';
  if (min !== undefined && max !== undefined && min > max) return '“Min” must not exceed “Max”.';
  return undefined;
}
