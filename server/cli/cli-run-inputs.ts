import { validateRunInputs, type RunInputSpec, type RunInputValues } from '../../contract/run-input-rules.js';

/**
 * `trellis pipeline run … --input key=value` (docs/pipelines.md#inputs): the command line's values
 * for a pipeline's declared inputs, checked by the same `validateRunInputs` the API and the Jobs
 * page's form use. A list (`keys`) input may be given comma-separated, repeated, or both; any other
 * input at most once. Problems are one line each, naming the input, never the value.
 */
export type CliInputs =
  | { readonly ok: true; readonly values: RunInputValues }
  | { readonly ok: false; readonly problems: readonly string[] };

/** The raw `key=value` texts of `--input key=value` and `--input=key=value`, in order; and the rest of argv. */
export function splitInputFlags(argv: readonly string[]): {
  readonly inputs: readonly string[];
  readonly rest: readonly string[];
  readonly missingValue: boolean;
} {
  const inputs: string[] = [];
  const rest: string[] = [];
  let missingValue = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--input') {
      const next = argv[i + 1];
      if (next === undefined) missingValue = true;
      else inputs.push(next);
      i++;
    } else if (a.startsWith('--input=')) inputs.push(a.slice('--input='.length));
    else rest.push(a);
  }
  return { inputs, rest, missingValue };
}

export function parseCliInputs(specs: readonly RunInputSpec[], pairs: readonly string[]): CliInputs {
  const problems: string[] = [];
  const given = new Map<string, string[]>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    if (at <= 0) {
      problems.push(`--input ${JSON.stringify(name.slice(0, 40))}: write it as name=value`);
      continue;
    }
    given.set(name, [...(given.get(name) ?? []), pair.slice(at + 1)]);
  }
  const raw: Record<string, unknown> = {};
  for (const [name, values] of given) {
    const spec = specs.find((s) => s.name === name);
    if (spec?.type === 'keys') {
      // Each occurrence may itself be a comma-separated list; the validator trims and deduplicates.
      raw[name] = values.flatMap((v) => v.split(','));
    } else if (values.length > 1 && spec) {
      problems.push(`--input ${name}: given ${values.length} times (only list inputs may repeat)`);
    } else raw[name] = values[0];
  }
  if (problems.length > 0) return { ok: false, problems };
  const checked = validateRunInputs(specs, raw);
  if (checked.ok) return checked;
  return {
    ok: false,
    problems: checked.issues.map((i) =>
      i.path === 'inputs' ? `--input: ${i.message}` : `--input ${i.path}: ${i.message}`,
    ),
  };
}

/** One line per declared input, for the error that lists what a pipeline takes. */
export function describeInputs(specs: readonly RunInputSpec[]): string {
  if (specs.length === 0) return 'it takes no inputs';
  return `its inputs: ${specs
    .map((s) => `${s.name} (${s.type === 'keys' ? 'list' : s.type}${s.required ? ', required' : ''})`)
    .join(', ')}`;
}
