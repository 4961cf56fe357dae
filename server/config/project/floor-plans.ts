import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import type { DashboardToCheck } from './check-references.js';

/**
 * Floor-plan SVGs (`floorplan` widgets): a project file, but drawn in every viewer's browser, so it is
 * rebuilt from an allow-list rather than passed through. Only plain shapes, groups and text survive,
 * with geometry and presentation attributes; anything that could run code or fetch something (scripts,
 * event handlers, links, `<use>`, images, `<style>`, `url(…)`, entities) makes the file a problem that
 * `trellis check` reports with its line, and is never part of the output.
 */

/** Bigger files are refused: a floor plan is a drawing of rooms, not a map of the world. */
export const MAX_FLOOR_PLAN_BYTES = 512 * 1024;
export const MAX_FLOOR_PLAN_ELEMENTS = 20_000;

const SVG_NS = 'http://www.w3.org/2000/svg';

const ELEMENTS = new Set([
  'svg',
  'g',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'title',
  'desc',
]);

const ATTRIBUTES = new Set([
  'id',
  'name',
  'class',
  'd',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'dx',
  'dy',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'width',
  'height',
  'points',
  'transform',
  'viewBox',
  'preserveAspectRatio',
  'version',
  'fill',
  'fill-rule',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-linejoin',
  'stroke-linecap',
  'stroke-dasharray',
  'stroke-opacity',
  'opacity',
  'font-size',
  'font-family',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
]);

/** Inside `style="…"`: the same presentation properties, nothing else. */
const STYLE_PROPERTIES = new Set([
  'fill',
  'fill-rule',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-linejoin',
  'stroke-linecap',
  'stroke-dasharray',
  'stroke-opacity',
  'opacity',
  'font-size',
  'font-family',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
]);

/** Values that could reach outside the drawing or run something, whatever the attribute. */
const UNSAFE_VALUE = /url\s*\(|javascript:|data:|expression\s*\(|@import|\\/i;

export interface FloorPlanProblem {
  readonly line: number;
  readonly message: string;
}

export interface SanitisedFloorPlan {
  /** The rebuilt SVG; empty when there are problems (a refused file is never served). */
  readonly markup: string;
  readonly problems: readonly FloorPlanProblem[];
  /** Ids of the elements (the regions a column's values can colour). */
  readonly regions: readonly string[];
}

export function sanitiseFloorPlan(text: string): SanitisedFloorPlan {
  const problems: FloorPlanProblem[] = [];
  if (Buffer.byteLength(text, 'utf8') > MAX_FLOOR_PLAN_BYTES)
    return {
      markup: '',
      problems: [{ line: 1, message: `the SVG is larger than ${MAX_FLOOR_PLAN_BYTES / 1024} KB` }],
      regions: [],
    };
  const parser = new SaxesParser({ xmlns: false, position: true });
  const out: string[] = [];
  const regions: string[] = [];
  // Depth inside a refused element: its whole subtree is left out (and reported once, at its start).
  let refusedDepth = 0;
  let depth = 0;
  let elements = 0;
  let sawRoot = false;
  const problem = (message: string) => problems.push({ line: parser.line, message });

  parser.on('doctype', () => problem('a DOCTYPE is not allowed (entities could expand or fetch)'));
  parser.on('processinginstruction', (pi) =>
    problem(`the processing instruction <?${pi.target}?> is not allowed`),
  );
  parser.on('cdata', () => problem('CDATA sections are not allowed'));
  parser.on('text', (t) => {
    if (refusedDepth === 0 && depth > 0) out.push(escapeText(t));
  });
  parser.on('opentag', (tag) => {
    depth++;
    if (refusedDepth > 0) {
      refusedDepth++;
      return;
    }
    if (++elements > MAX_FLOOR_PLAN_ELEMENTS) {
      if (elements === MAX_FLOOR_PLAN_ELEMENTS + 1) problem(`more than ${MAX_FLOOR_PLAN_ELEMENTS} elements`);
      refusedDepth = 1;
      return;
    }
    const name = tag.name;
    if (depth === 1) {
      sawRoot = true;
      if (name !== 'svg') problem(`the root element must be <svg>, not <${name}>`);
    }
    if (!ELEMENTS.has(name)) {
      problem(`element <${name}> is not allowed in a floor plan`);
      refusedDepth = 1;
      return;
    }
    const attrs: string[] = [];
    let id: string | undefined;
    let named = false;
    for (const [key, raw] of Object.entries(tag.attributes)) {
      const value = String(raw);
      if (key === 'xmlns') {
        if (value !== SVG_NS) problem(`xmlns must be ${SVG_NS}`);
        continue;
      }
      if (key.startsWith('xmlns:')) continue; // editor namespaces: their attributes are refused below
      if (/^on/i.test(key)) {
        problem(`event handler attribute "${key}" is not allowed`);
        continue;
      }
      if (key === 'style') {
        const style = safeStyle(value, problem);
        if (style) attrs.push(`style="${escapeAttribute(style)}"`);
        continue;
      }
      if (!ATTRIBUTES.has(key)) {
        // Editors' own attributes (inkscape:label, sodipodi:…) carry nothing to draw: dropped quietly;
        // anything else (href, xlink:href, …) is reported.
        if (/^(inkscape|sodipodi|data-)/.test(key)) continue;
        problem(`attribute "${key}" is not allowed in a floor plan`);
        continue;
      }
      if (UNSAFE_VALUE.test(value)) {
        problem(`attribute "${key}" has a value that refers outside the drawing`);
        continue;
      }
      if (key === 'id') id = value;
      if (key === 'name') named = true;
      attrs.push(`${key}="${escapeAttribute(value)}"`);
    }
    // The chart library finds a region by its `name`: an element's id is its region name.
    if (id !== undefined && !named) attrs.push(`name="${escapeAttribute(id)}"`);
    if (id !== undefined && depth > 1) regions.push(id);
    if (depth === 1) attrs.unshift(`xmlns="${SVG_NS}"`);
    out.push(`<${name}${attrs.length ? ' ' + attrs.join(' ') : ''}>`);
  });
  parser.on('closetag', (tag) => {
    depth--;
    if (refusedDepth > 0) {
      refusedDepth--;
      return;
    }
    out.push(`</${tag.name}>`);
  });
  parser.on('error', (err) => {
    problems.push({
      line: parser.line,
      message: `not well-formed XML: ${err.message.replace(/^[^:]*:\d+:\d+: /, '')}`,
    });
  });
  try {
    parser.write(text).close();
  } catch {
    // Reported by the error handler above.
  }
  if (!sawRoot && !problems.length) problems.push({ line: 1, message: 'the file has no <svg> element' });
  return problems.length
    ? { markup: '', problems, regions: [] }
    : { markup: out.join(''), problems, regions };
}

function safeStyle(style: string, problem: (message: string) => void): string {
  const kept: string[] = [];
  for (const declaration of style.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon === -1) continue;
    const prop = declaration.slice(0, colon).trim().toLowerCase();
    const value = declaration.slice(colon + 1).trim();
    if (!prop || !value) continue;
    if (UNSAFE_VALUE.test(value)) {
      problem(`style property "${prop}" has a value that refers outside the drawing`);
      continue;
    }
    // Unknown properties are dropped quietly: editors write many that draw nothing here.
    if (STYLE_PROPERTIES.has(prop)) kept.push(`${prop}:${value}`);
  }
  return kept.join(';');
}

function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttribute(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Reads and sanitises every floor plan the dashboards name, once per file. Problems are reported
 * against the SVG file and its line; a refused file is left out of the map (its widget then has no
 * drawing, and the project does not load).
 */
export async function loadFloorPlans(
  dir: string,
  dashboardFiles: ReadonlyMap<string, DashboardToCheck>,
  report: (file: string, line: number, message: string) => void,
): Promise<Map<string, string>> {
  const files = new Set<string>();
  for (const { data } of dashboardFiles.values())
    for (const w of data.widgets) if (w.type === 'floorplan') files.add(w.svg);
  const plans = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(path.join(dir, file), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      report(
        file,
        1,
        code === 'ENOENT'
          ? 'file not found (a floorplan widget names it)'
          : `cannot read file (${code ?? 'error'})`,
      );
      continue;
    }
    const result = sanitiseFloorPlan(text);
    for (const p of result.problems) report(file, p.line, p.message);
    if (!result.problems.length) plans.set(file, result.markup);
  }
  return plans;
}
