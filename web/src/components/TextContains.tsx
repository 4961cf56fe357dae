import { useCallback, useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { FilterDefinition } from '../../../contract/index.js';
import { useDraft } from '../hooks/useDraft.js';

interface Props {
  readonly filter: FilterDefinition;
  readonly value: string | undefined;
  readonly onChange: (value: string) => void;
}

/** Long enough to skip the requests for half-typed words, short enough to feel live. */
const COMMIT_DELAY_MS = 350;
const same = (a: string, b: string) => a === b;

/** A "contains" search box; commits after a pause in typing, or at once on Enter. */
export function TextContains({ filter, value, onChange }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const commit = useCallback((v: string) => onChange(v), [onChange]);
  const [draft, setDraft, flush] = useDraft(value ?? '', commit, { delayMs: COMMIT_DELAY_MS, equals: same });
  return (
    <div className="filter text" data-filter-id={filter.id}>
      <label className="filter-label" htmlFor={id}>
        {filter.label}
      </label>
      <input
        id={id}
        type="search"
        value={draft}
        maxLength={1000}
        placeholder={filter.placeholder ?? t('filters.contains')}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') flush();
        }}
        onBlur={flush}
      />
    </div>
  );
}
