import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createMiniProject } from '../../../test/mini-project.js';
import { presentDashboard, listDashboards } from '../../services/dashboards.service.js';
import { tenantId } from '../../policies/tenant.js';
import { loadProject } from './load-project.js';
import { formatProblem } from './project.types.js';

/** The mini project's main dashboard with its title, one filter label and one widget title translated. */
async function translated(replace: (text: string) => string) {
  const mini = await createMiniProject();
  const text = replace(readFileSync(`${mini.dir}/dashboards/main.yaml`, 'utf8'));
  return loadProject((await createMiniProject({ 'dashboards/main.yaml': text })).dir);
}

describe('translated titles, descriptions and placeholders (title: {en: …, de: …})', () => {
  test('dashboards, filters and widgets are presented in the reader’s language, else English', async () => {
    const original = readFileSync(`${(await createMiniProject()).dir}/dashboards/main.yaml`, 'utf8');
    const title = /^title: (.+)$/m.exec(original)?.[1];
    expect(title).toBeDefined();
    const r = await translated((t) =>
      t
        .replace(/^title: .+$/m, `title: { en: ${title}, de: Hauptübersicht }`)
        .replace('label: Colour, column: colour', 'label: { en: Colour, de: Farbe }, column: colour')
        .replace('title: By colour,', 'title: { en: By colour, de: Nach Farbe },'),
    );
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    const viewer = { tenant: tenantId('org'), role: 'viewer' } as const;
    const de = presentDashboard(r.project, r.project.dashboards.get('main')!, undefined, 'de');
    const en = presentDashboard(r.project, r.project.dashboards.get('main')!, undefined, 'en');
    expect(de.title).toBe('Hauptübersicht');
    expect(en.title).toBe(title);
    expect(de.filters.find((f) => f.id === 'colour')?.label).toBe('Farbe');
    expect(en.filters.find((f) => f.id === 'colour')?.label).toBe('Colour');
    expect(de.widgets.find((w) => w.id === 'by_colour')?.title).toBe('Nach Farbe');
    expect(en.widgets.find((w) => w.id === 'by_colour')?.title).toBe('By colour');
    expect(listDashboards(r.project, viewer, 'de').dashboards.find((d) => d.id === 'main')?.title).toBe(
      'Hauptübersicht',
    );
  });

  test('descriptions and filter placeholders are translated the same way', async () => {
    const r = await translated((t) =>
      t
        .replace(/^(title: .+)$/m, '$1\ndescription: { en: All the items, de: Alle Artikel }')
        .replace(
          'label: Name contains, column: name',
          'label: Name contains, column: name, placeholder: { en: e.g. lamp, de: z. B. Lampe }',
        )
        .replace(
          'title: By colour,',
          'title: By colour, description: { en: Items per colour, de: Artikel je Farbe },',
        ),
    );
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    const viewer = { tenant: tenantId('org'), role: 'viewer' } as const;
    const main = r.project.dashboards.get('main')!;
    const de = presentDashboard(r.project, main, undefined, 'de');
    const en = presentDashboard(r.project, main, undefined, 'en');
    expect([de.description, en.description]).toEqual(['Alle Artikel', 'All the items']);
    expect([de, en].map((d) => d.filters.find((f) => f.id === 'q')?.placeholder)).toEqual([
      'z. B. Lampe',
      'e.g. lamp',
    ]);
    expect([de, en].map((d) => d.widgets.find((w) => w.id === 'by_colour')?.description)).toEqual([
      'Artikel je Farbe',
      'Items per colour',
    ]);
    expect(listDashboards(r.project, viewer, 'de').dashboards.find((d) => d.id === 'main')?.description).toBe(
      'Alle Artikel',
    );
  });

  test("a text widget's markdown is translated the same way", async () => {
    const r = await translated((t) =>
      t.replace('markdown: "Hello"', 'markdown: { en: "Hello **all**", de: "Hallo **alle**" }'),
    );
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    const main = r.project.dashboards.get('main')!;
    const note = (locale: 'de' | 'en') =>
      presentDashboard(r.project, main, undefined, locale).widgets.find((w) => w.id === 'note');
    expect([note('de'), note('en')].map((w) => (w?.type === 'text' ? w.markdown : undefined))).toEqual([
      'Hallo **alle**',
      'Hello **all**',
    ]);
    // An unknown language is refused at its line, as for titles.
    const bad = await translated((t) => t.replace('markdown: "Hello"', 'markdown: { fr: "Bonjour" }'));
    expect(bad.ok).toBe(false);
  });

  test('a language only in German falls back to it for English readers', async () => {
    const r = await translated((t) => t.replace(/^title: .+$/m, 'title: { de: Nur Deutsch }'));
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    expect(presentDashboard(r.project, r.project.dashboards.get('main')!, undefined, 'en').title).toBe(
      'Nur Deutsch',
    );
  });

  test('trellis check refuses an unknown language and an empty translation map, with the line', async () => {
    for (const bad of ['title: { en: Main, fr: Principal }', 'title: {}']) {
      const r = await translated((t) => t.replace(/^title: .+$/m, bad));
      expect(r.ok, bad).toBe(false);
      if (r.ok) continue;
      const problems = r.problems.map(formatProblem);
      expect(
        problems.some((p) => p.startsWith('dashboards/main.yaml:1:')),
        problems.join('\n'),
      ).toBe(true);
    }
  });
});
