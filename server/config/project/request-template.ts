/**
 * Templates in pipeline requests: `${row.<column>}`, `${input.<name>}`, `${env:NAME}` and, in the
 * poll and fetch requests of a launch-then-poll step, `${launch.<field>}` (a top-level field of the
 * launch call's answer, such as the agent's container id). They fill
 * values only — query parameters, whole path segments (encoded), header values and JSON body values —
 * so nothing a row, an input or a variable holds can change which host or path a request goes to.
 * `${env:NAME}` is how secrets enter a request: resolved at run time, never written to a project file,
 * and redacted from everything a run reports (jobs/pipelines/secret-redactor.ts).
 */

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'row'; readonly name: string }
  | { readonly kind: 'input'; readonly name: string }
  | { readonly kind: 'launch'; readonly name: string }
  | { readonly kind: 'env'; readonly name: string };

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const NAME = '[A-Za-z_][A-Za-z0-9_]{0,127}';
const ROW = new RegExp(`^row\\.(${NAME})$`);
const INPUT = new RegExp(`^input\\.(${NAME})$`);
const ENV = new RegExp(`^env:(${NAME})$`);
const LAUNCH = new RegExp(`^launch\\.(${NAME})$`);

export class TemplateError extends Error {}

/** Splits a string into text and placeholders; an unknown placeholder is a TemplateError. */
export function parseTemplate(text: string): readonly TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const at = m.index;
    if (at > last) parts.push({ kind: 'text', text: text.slice(last, at) });
    const inner = (m[1] ?? '').trim();
    const row = ROW.exec(inner);
    const input = INPUT.exec(inner);
    const env = ENV.exec(inner);
    const launch = LAUNCH.exec(inner);
    if (row) parts.push({ kind: 'row', name: row[1] as string });
    else if (input) parts.push({ kind: 'input', name: input[1] as string });
    else if (env) parts.push({ kind: 'env', name: env[1] as string });
    else if (launch) parts.push({ kind: 'launch', name: launch[1] as string });
    else
      throw new TemplateError(
        `"\${${inner}}" is not a template: use \${row.<column>}, \${input.<name>}, \${env:NAME} or \${launch.<field>}`,
      );
    last = at + m[0].length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** Every placeholder in a JSON value's strings (object keys are not templated). */
export function placeholdersIn(value: unknown): TemplatePart[] {
  if (typeof value === 'string') return parseTemplate(value).filter((p) => p.kind !== 'text');
  if (Array.isArray(value)) return value.flatMap(placeholdersIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(placeholdersIn);
  return [];
}

/**
 * Why a request URL's templates are not allowed, or null: the origin must be fixed text, and each
 * placeholder must be a whole path segment (it is encoded into that one segment at run time); no
 * secrets in URLs (they end up in access logs), and no query string (use `query:`).
 */
export function urlTemplateProblem(url: string): string | null {
  const marker = 'trellis-placeholder';
  let parts: readonly TemplatePart[];
  try {
    parts = parseTemplate(url);
  } catch (err) {
    return (err as Error).message;
  }
  if (parts.some((p) => p.kind === 'env'))
    return 'secrets (${env:…}) may not appear in a URL; send them in a header';
  const plain = parts.map((p) => (p.kind === 'text' ? p.text : marker)).join('');
  let parsed: URL;
  try {
    parsed = new URL(plain);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.origin.includes(marker) || parsed.username || parsed.password)
    return 'the scheme and host of a request come from the project file; templates may only fill path segments';
  if (parsed.search || parsed.hash) return 'put query parameters under `query:` (no ? or # in the url)';
  for (const segment of parsed.pathname.split('/'))
    if (segment.includes(marker) && segment !== marker)
      return 'a template must be a whole path segment, such as /candidates/${row.id}/score';
  return null;
}
