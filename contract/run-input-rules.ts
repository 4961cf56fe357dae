/**
 * Run inputs (docs/pipelines.md#inputs): what a pipeline asks for when it is started — declared in
 * its file under `inputs:`, shown as a form on the Jobs page, validated by the server with
 * `validateRunInputs`, stored with the run and filled into requests with `${input.<name>}` (values
 * only, never a host or path structure: config/project/request-template.ts). The Jobs page's form
 * runs this same function, so its checks mirror the server's; that is why this module has no zod
 * (zod probes eval, which the page's CSP refuses): the wire schemas are in run-inputs.ts.
 */

/** Bounds that hold whatever a pipeline declares: a run's inputs stay small. */
export const RUN_INPUT_LIMITS = {
  inputs: 20,
  textLength: 2_000,
  keys: 1_000,
  keyLength: 200,
  enumValues: 200,
} as const;

interface InputCommon {
  readonly name: string;
  readonly label: string;
  readonly hint: string | null;
  readonly required: boolean;
}

export type RunInputSpec = InputCommon &
  (
    | {
        readonly type: 'text';
        readonly maxLength: number;
        /** A regular expression the whole value must match (anchored), or null. */
        readonly pattern: string | null;
        readonly default: string | null;
      }
    | {
        readonly type: 'number';
        readonly min: number | null;
        readonly max: number | null;
        readonly integer: boolean;
        readonly default: number | null;
      }
    | { readonly type: 'enum'; readonly values: string[]; readonly default: string | null }
    | {
        readonly type: 'date';
        readonly min: string | null;
        readonly max: string | null;
        readonly default: string | null;
      }
    | { readonly type: 'keys'; readonly maxCount: number; readonly maxLength: number; readonly default: null }
  );

export type RunInputValue = string | number | string[];
export type RunInputValues = Readonly<Record<string, RunInputValue>>;

export interface RunInputIssue {
  /** The input's name (`keywords`), or `inputs` for the whole set. */
  readonly path: string;
  readonly message: string;
}

export type RunInputsResult =
  | { readonly ok: true; readonly values: RunInputValues }
  | { readonly ok: false; readonly issues: readonly RunInputIssue[] };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** A key of a `keys` input: printable, no control characters. */
const KEY = /^[^\p{Cc}]+$/u;

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** One input's value, or the problem with it (a blank optional value: undefined, left out). */
function checkOne(
  spec: RunInputSpec,
  raw: unknown,
): { value: RunInputValue | undefined } | { problem: string } {
  if (isBlank(raw)) {
    if (spec.default !== null && spec.default !== undefined) return { value: spec.default };
    return spec.required ? { problem: 'is required' } : { value: undefined };
  }
  switch (spec.type) {
    case 'text': {
      if (typeof raw !== 'string') return { problem: 'must be text' };
      const text = raw.trim();
      if (text === '') return spec.required ? { problem: 'is required' } : { value: undefined };
      if ([...text].length > spec.maxLength)
        return { problem: `must be at most ${spec.maxLength} characters` };
      if (/\p{Cc}/u.test(text)) return { problem: 'must not contain control characters' };
      if (spec.pattern !== null && !new RegExp(`^(?:${spec.pattern})$`, 'u').test(text))
        return { problem: 'is not in the expected form' };
      return { value: text };
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
      if (!Number.isFinite(n)) return { problem: 'must be a number' };
      if (spec.integer && !Number.isInteger(n)) return { problem: 'must be a whole number' };
      if (spec.min !== null && n < spec.min) return { problem: `must be at least ${spec.min}` };
      if (spec.max !== null && n > spec.max) return { problem: `must be at most ${spec.max}` };
      return { value: n };
    }
    case 'enum':
      if (typeof raw !== 'string' || !spec.values.includes(raw))
        return { problem: `must be one of ${spec.values.slice(0, 10).join(', ')}` };
      return { value: raw };
    case 'date': {
      if (typeof raw !== 'string' || !isIsoDate(raw.trim()))
        return { problem: 'must be a date (YYYY-MM-DD)' };
      const d = raw.trim();
      if (spec.min !== null && d < spec.min) return { problem: `must be on or after ${spec.min}` };
      if (spec.max !== null && d > spec.max) return { problem: `must be on or before ${spec.max}` };
      return { value: d };
    }
    case 'keys': {
      const list =
        typeof raw === 'string'
          ? raw
              .split(/[\n,]/)
              .map((k) => k.trim())
              .filter((k) => k !== '')
          : raw;
      if (!Array.isArray(list) || !list.every((k): k is string => typeof k === 'string'))
        return { problem: 'must be a list of keys' };
      const keys = [...new Set(list.map((k) => k.trim()).filter((k) => k !== ''))];
      if (keys.length === 0) return spec.required ? { problem: 'is required' } : { value: undefined };
      if (keys.length > spec.maxCount) return { problem: `must hold at most ${spec.maxCount} keys` };
      const bad = keys.find((k) => [...k].length > spec.maxLength || !KEY.test(k));
      if (bad !== undefined) return { problem: `holds a key that is too long or not printable` };
      return { value: keys };
    }
  }
}

/**
 * Checks values against a pipeline's declared inputs: every problem, one per input (never the
 * value itself, which may be long or sensitive), or the values to store — trimmed, typed, defaults
 * filled, blanks of optional inputs left out. Names the pipeline does not declare are refused.
 */
export function validateRunInputs(specs: readonly RunInputSpec[], raw: unknown): RunInputsResult {
  const given: Record<string, unknown> =
    raw === undefined || raw === null
      ? {}
      : typeof raw === 'object' && !Array.isArray(raw)
        ? (raw as Record<string, unknown>)
        : { '': raw };
  const issues: RunInputIssue[] = [];
  const declared = new Set(specs.map((s) => s.name));
  const unknown = Object.keys(given).filter((k) => !declared.has(k));
  if (unknown.length > 0)
    issues.push({
      path: 'inputs',
      message:
        specs.length === 0
          ? 'this pipeline takes no inputs'
          : `unknown input ${unknown
              .slice(0, 5)
              .map((k) => `"${k.slice(0, 40)}"`)
              .join(', ')}`,
    });
  const values: Record<string, RunInputValue> = {};
  for (const spec of specs) {
    const r = checkOne(spec, given[spec.name]);
    if ('problem' in r) issues.push({ path: spec.name, message: `${spec.label} ${r.problem}` });
    else if (r.value !== undefined) values[spec.name] = r.value;
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, values };
}
