import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { FilterDefinition } from '../../../contract/index.js';
import { filterOptionsQuery } from '../api/queries.js';
import { formatNumber } from '../charts/value-format.js';
import { useDebouncedValue } from '../hooks/useDebouncedValue.js';

interface Props {
  readonly dashboardId: string;
  readonly filter: FilterDefinition;
  readonly value: readonly string[];
  readonly onChange: (values: string[]) => void;
}

/** Pause after the last keystroke before asking the server for matching options. */
const SEARCH_DEBOUNCE_MS = 250;

/**
 * A multi-select combobox (WAI-ARIA combobox + listbox pattern). Options come from the server with
 * their counts and are searched there, so filters over many values stay fast. Keyboard: ↓/↑ move,
 * Enter toggles, Escape closes, Backspace in an empty box removes the last chip.
 */
export function MultiSelect({ dashboardId, filter, value, onChange }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const inputId = `${id}-input`;
  const listId = `${id}-list`;
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [active, setActive] = useState(-1);
  const rootRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const debounced = useDebouncedValue(search.trim(), SEARCH_DEBOUNCE_MS);

  const options = useQuery({
    ...filterOptionsQuery(dashboardId, filter.id, debounced),
    enabled: open,
    placeholderData: keepPreviousData,
  });
  const items = options.data?.options ?? [];
  const selected = new Set(value);

  const toggle = (v: string) => {
    onChange(selected.has(v) ? value.filter((x) => x !== v) : [...value, v]);
  };
  const close = () => {
    setOpen(false);
    setActive(-1);
    setSearch('');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        if (!open) setOpen(true);
        setActive((a) => Math.min(a + 1, items.length - 1));
        break;
      case 'ArrowUp':
        e.preventDefault();
        setActive((a) => Math.max(a - 1, 0));
        break;
      case 'Home':
        if (open && items.length) {
          e.preventDefault();
          setActive(0);
        }
        break;
      case 'End':
        if (open && items.length) {
          e.preventDefault();
          setActive(items.length - 1);
        }
        break;
      case 'Enter': {
        const item = open ? items[active] : undefined;
        if (item) {
          e.preventDefault();
          toggle(item.value);
        } else if (!open) {
          e.preventDefault();
          setOpen(true);
        }
        break;
      }
      case 'Escape':
        if (open) {
          e.preventDefault();
          close();
        }
        break;
      case 'Backspace':
        if (search === '' && value.length) onChange(value.slice(0, -1));
        break;
      case 'Tab':
        close();
        break;
    }
  };

  const activeId = open && items[active] ? `${listId}-${active}` : undefined;

  // Keep the option under the keyboard cursor visible in a scrolled list.
  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);
  const placeholder = value.length ? t('filters.add') : (filter.placeholder ?? t('filters.any'));

  return (
    <div
      className="filter multi-select"
      ref={rootRef}
      data-filter-id={filter.id}
      onBlur={(e) => {
        // Close when focus leaves the whole control, not when it moves between its parts.
        if (!rootRef.current?.contains(e.relatedTarget as Node | null)) close();
      }}
    >
      <label className="filter-label" htmlFor={inputId}>
        {filter.label}
      </label>
      <div className="ms-field" onClick={() => inputRef.current?.focus()}>
        {value.map((v) => (
          <span className="chip" key={v}>
            <span className="chip-text">{v || t('ui.empty')}</span>
            <button
              type="button"
              className="chip-remove"
              aria-label={t('filters.remove', { value: v, filter: filter.label })}
              onClick={(e) => {
                e.stopPropagation();
                onChange(value.filter((x) => x !== v));
              }}
            >
              ×
            </button>
          </span>
        ))}
        <input
          ref={inputRef}
          id={inputId}
          className="ms-input"
          type="text"
          role="combobox"
          autoComplete="off"
          spellCheck={false}
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeId}
          placeholder={placeholder}
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setOpen(true);
            setActive(-1);
          }}
          onFocus={() => setOpen(true)}
          onKeyDown={onKeyDown}
        />
      </div>
      {open && (
        <div className="ms-popup">
          <ul id={listId} role="listbox" aria-multiselectable="true" aria-label={filter.label}>
            {items.map((o, i) => (
              <li
                key={o.value}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={selected.has(o.value)}
                className={i === active ? 'ms-option active' : 'ms-option'}
                // Keep focus in the input so the list stays open and typing continues.
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => toggle(o.value)}
                onMouseMove={() => setActive(i)}
              >
                <span className="ms-check" aria-hidden="true">
                  {selected.has(o.value) ? '✓' : ''}
                </span>
                <span className="ms-value">{o.value || t('ui.empty')}</span>
                <span className="ms-count">{formatNumber(o.count, 'integer')}</span>
              </li>
            ))}
          </ul>
          <p className="ms-status" role="status">
            {options.isError
              ? t('filters.optionsFailed', { message: options.error.message })
              : options.isPending
                ? t('common.loading')
                : items.length === 0
                  ? t('filters.noMatches')
                  : options.data?.more
                    ? t('filters.firstOnly', { count: items.length })
                    : ''}
          </p>
        </div>
      )}
    </div>
  );
}
