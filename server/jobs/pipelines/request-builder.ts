import { parseTemplate } from '../../config/project/request-template.js';
import type { RequestSpec } from '../../config/project/pipeline.types.js';

/**
 * Builds one enrichment request from the pipeline's request spec and a row (its `from` columns), the
 * run's inputs and its secrets. Templates fill values only (request-template.ts): a path template is
 * encoded into its one segment, and a value that would still move the path (`.`, `..`, empty) is
 * refused; query values go through URLSearchParams; header values may not hold line breaks. So the
 * host and the path structure are always the project file's.
 */
export interface TemplateValues {
  readonly row: Readonly<Record<string, unknown>>;
  readonly input: Readonly<Record<string, unknown>>;
  readonly env: ReadonlyMap<string, string>;
  /** The launch call's answer (poll and fetch requests of a launch-then-poll step). */
  readonly launch?: Readonly<Record<string, unknown>>;
}

export interface BuiltRequest {
  readonly url: URL;
  readonly method: RequestSpec['method'];
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** The row cannot be turned into a request (a refused path value): the row fails, the run goes on. */
export class RequestBuildError extends Error {}

type Kind = 'row' | 'input' | 'env' | 'launch';

/**
 * Templates come from project files, so there are few; parsing one per row and field was a visible
 * share of an enrichment's CPU. Bounded all the same (a cleared cache only costs re-parsing).
 */
const parsedTemplates = new Map<string, ReturnType<typeof parseTemplate>>();
function parsed(template: string): ReturnType<typeof parseTemplate> {
  let parts = parsedTemplates.get(template);
  if (!parts) {
    if (parsedTemplates.size >= 1_000) parsedTemplates.clear();
    parts = parseTemplate(template);
    parsedTemplates.set(template, parts);
  }
  return parts;
}

function lookup(kind: Kind, name: string, values: TemplateValues): unknown {
  if (kind === 'env') return values.env.get(name);
  if (kind === 'launch') return values.launch?.[name];
  return kind === 'row' ? values.row[name] : values.input[name];
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string'
    ? value
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
}

/** A template string as text. */
export function renderText(template: string, values: TemplateValues): string {
  return parsed(template)
    .map((p) => (p.kind === 'text' ? p.text : asText(lookup(p.kind, p.name, values))))
    .join('');
}

/** A JSON value: a string that is exactly one template keeps the value's type. */
export function renderJson(template: unknown, values: TemplateValues): unknown {
  if (typeof template === 'string') {
    const parts = parsed(template);
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only && only.kind !== 'text') return lookup(only.kind, only.name, values) ?? null;
    return renderText(template, values);
  }
  if (Array.isArray(template)) return template.map((v) => renderJson(v, values));
  if (template !== null && typeof template === 'object')
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderJson(v, values)]));
  return template;
}

/** A path segment as written: kept as is, or one template filled (encoded) per request. */
type PathSegment = string | { readonly kind: Kind; readonly name: string };

/**
 * The configured URL's path, split once per template (`new URL` and a regex per segment per row were
 * most of a request's build time). Bounded as `parsedTemplates` is.
 */
const parsedPaths = new Map<string, readonly PathSegment[]>();
function pathSegments(urlTemplate: string): readonly PathSegment[] {
  let segments = parsedPaths.get(urlTemplate);
  if (!segments) {
    const configured = parsed(urlTemplate);
    // The path as written after the configured origin; with url_env, the override's origin and base path.
    const pathTemplate = new URL(
      configured.map((p) => (p.kind === 'text' ? p.text : `{${p.kind}.${p.name}}`)).join(''),
    ).pathname;
    segments = pathTemplate.split('/').map((segment) => {
      const m = /^\{(row|input|launch)\.([A-Za-z0-9_]+)\}$/.exec(decodeURIComponent(segment));
      return m ? { kind: m[1] as Kind, name: m[2] as string } : segment;
    });
    if (parsedPaths.size >= 1_000) parsedPaths.clear();
    parsedPaths.set(urlTemplate, segments);
  }
  return segments;
}

const origins = new Map<string, string>();
function originOf(origin: string): string {
  let o = origins.get(origin);
  if (o === undefined) {
    o = new URL(origin).origin;
    if (origins.size >= 1_000) origins.clear();
    origins.set(origin, o);
  }
  return o;
}

export function buildRequest(spec: RequestSpec, origin: string, values: TemplateValues): BuiltRequest {
  const path = pathSegments(spec.url).map((segment) => {
    if (typeof segment === 'string') return segment;
    const value = asText(lookup(segment.kind, segment.name, values));
    if (value === '' || value === '.' || value === '..')
      throw new RequestBuildError(
        `the value for path segment {${segment.kind}.${segment.name}} is "${value}", which no path may hold`,
      );
    return encodeURIComponent(value);
  });
  // `url_env` overrides the origin only (scheme, host, port): the path is always the project file's.
  const url = new URL(originOf(origin));
  url.pathname = path.join('/');
  for (const [name, template] of Object.entries(spec.query))
    url.searchParams.set(name, renderText(template, values));
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, template] of Object.entries(spec.headers)) {
    const value = renderText(template, values);
    if (/[\r\n]/.test(value)) throw new RequestBuildError(`the value of header ${name} holds a line break`);
    headers[name.toLowerCase()] = value;
  }
  let body: string | undefined;
  if (spec.body !== undefined) {
    body = JSON.stringify(renderJson(spec.body, values));
    headers['content-type'] = 'application/json';
  }
  return { url, method: spec.method, headers, body };
}
