import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import ReactGridLayout, { useContainerWidth, type Layout } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import 'react-resizable/css/styles.css';
import {
  LAYOUT_COLUMNS,
  LAYOUT_ROW_PX,
  MAX_LAYOUT_HEIGHT,
  type DashboardDefinition,
  type LayoutItem,
} from '../../../contract/index.js';
import { layoutKeys, layouts } from '../api/layouts-api.js';
import { nudge, readingOrder, type Nudge } from '../app/layouts/grid-layout.js';
import { FormError } from './FormError.js';

const ARROWS: Record<string, Nudge> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
};

/**
 * Arrange mode (docs/dashboards.md, "Own layouts"): the dashboard's widgets as tiles on
 * react-grid-layout (its own lazy chunk), dragged by the mouse or, focused, moved with the arrow keys
 * and resized with Shift+arrows. Save keeps the layout for this user (PUT …/layout); Reset goes back
 * to the project's (DELETE); Escape or Cancel leaves without saving.
 */
export default function ArrangeLayout({
  definition,
  initial,
  hasOwn,
  onDone,
}: {
  definition: DashboardDefinition;
  initial: readonly LayoutItem[];
  hasOwn: boolean;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const [items, setItems] = useState<LayoutItem[]>(() => [...initial]);
  const [said, setSaid] = useState('');
  const { t } = useTranslation();
  const place = (item: LayoutItem) =>
    t('arrange.place', {
      title: titles.get(item.widget) ?? item.widget,
      x: item.x + 1,
      y: item.y + 1,
      w: item.w,
      h: item.h,
    });
  const { width, containerRef, mounted } = useContainerWidth();
  const section = useRef<HTMLElement>(null);
  const titles = new Map(definition.widgets.map((w) => [w.id, w.title || w.id]));

  // Focus the first tile once the grid is there, so the arrow keys work at once. (A ref on the tile
  // itself is taken over by react-grid-layout's item wrapper.)
  useEffect(() => {
    if (mounted) section.current?.querySelector<HTMLElement>('[data-widget-tile]')?.focus();
  }, [mounted]);

  const save = useMutation({
    mutationFn: () => layouts.save(definition.id, items),
    onSuccess: (saved) => {
      queryClient.setQueryData(layoutKeys.one(definition.id), saved);
      onDone();
    },
  });
  const reset = useMutation({
    mutationFn: () => layouts.reset(definition.id),
    onSuccess: () => {
      queryClient.setQueryData(layoutKeys.one(definition.id), { items: null });
      onDone();
    },
  });

  const onLayoutChange = (layout: Layout) =>
    setItems(layout.map(({ i, x, y, w, h }) => ({ widget: i, x, y, w, h })));

  const onKey = (e: KeyboardEvent<HTMLDivElement>, id: string) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onDone();
      return;
    }
    const direction = ARROWS[e.key];
    if (!direction || e.target !== e.currentTarget) return;
    e.preventDefault();
    setItems((now) => {
      const next = now.map((i) => (i.widget === id ? nudge(i, direction, e.shiftKey) : i));
      const moved = next.find((i) => i.widget === id);
      if (moved) setSaid(place(moved));
      return next;
    });
  };

  const busy = save.isPending || reset.isPending;
  return (
    <section className="arrange" aria-label={t('arrange.label')} data-testid="arrange" ref={section}>
      <div className="arrange-bar">
        <p className="arrange-hint">
          <Trans i18nKey="arrange.hint" components={{ kbd: <kbd /> }} />
        </p>
        <div className="arrange-actions">
          <button type="button" className="button small" onClick={() => save.mutate()} disabled={busy}>
            {save.isPending ? t('ui.saving') : t('arrange.save')}
          </button>
          <button type="button" className="button secondary small" onClick={onDone} disabled={busy}>
            {t('ui.cancel')}
          </button>
          {hasOwn && (
            <button
              type="button"
              className="button secondary small"
              onClick={() => reset.mutate()}
              disabled={busy}
            >
              {t('arrange.reset')}
            </button>
          )}
        </div>
        <FormError error={save.error ?? reset.error} />
      </div>
      <p className="visually-hidden" aria-live="polite">
        {said}
      </p>
      <div ref={containerRef}>
        {mounted && (
          <ReactGridLayout
            width={width}
            layout={items.map(({ widget, ...rest }) => ({ i: widget, ...rest, maxH: MAX_LAYOUT_HEIGHT }))}
            gridConfig={{
              cols: LAYOUT_COLUMNS,
              rowHeight: LAYOUT_ROW_PX - 16,
              margin: [16, 16],
              containerPadding: [0, 0],
            }}
            onLayoutChange={onLayoutChange}
          >
            {readingOrder(items).map((item) => (
              <div
                key={item.widget}
                className="arrange-tile"
                tabIndex={0}
                role="group"
                aria-roledescription={t('arrange.movable')}
                aria-label={place(item)}
                data-widget-tile={item.widget}
                onKeyDown={(e) => onKey(e, item.widget)}
              >
                <span className="arrange-title">{titles.get(item.widget) ?? item.widget}</span>
                <span className="arrange-size" aria-hidden="true">
                  {item.w} × {item.h}
                </span>
              </div>
            ))}
          </ReactGridLayout>
        )}
      </div>
    </section>
  );
}
