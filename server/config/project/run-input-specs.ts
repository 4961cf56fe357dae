import { validateRunInputs, type RunInputSpec } from '../../../contract/run-inputs.js';
import type { InputDef } from './pipeline.schema.js';

/**
 * A pipeline file's `inputs:` as the specs the server validates with and the Jobs page's form is
 * built from (contract/run-inputs.ts). Cross-checks what the schema alone cannot: min ≤ max, and a
 * default that its own input would accept.
 */
export function inputSpecs(
  defs: Readonly<Record<string, InputDef>>,
  problem: (at: readonly (string | number)[], message: string) => void,
): RunInputSpec[] {
  const specs: RunInputSpec[] = [];
  for (const [name, d] of Object.entries(defs)) {
    const common = {
      name,
      label: d.label ?? labelFor(name),
      hint: d.hint ?? null,
      required: d.required,
    };
    let spec: RunInputSpec;
    switch (d.type) {
      case 'text':
        spec = {
          ...common,
          type: 'text',
          maxLength: d.max_length,
          pattern: d.pattern ?? null,
          default: d.default ?? null,
        };
        break;
      case 'number':
        spec = {
          ...common,
          type: 'number',
          min: d.min ?? null,
          max: d.max ?? null,
          integer: d.integer,
          default: d.default ?? null,
        };
        if (d.min !== undefined && d.max !== undefined && d.min > d.max)
          problem(['inputs', name, 'max'], 'max is below min');
        break;
      case 'enum':
        spec = { ...common, type: 'enum', values: [...new Set(d.values)], default: d.default ?? null };
        break;
      case 'date':
        spec = {
          ...common,
          type: 'date',
          min: d.min ?? null,
          max: d.max ?? null,
          default: d.default ?? null,
        };
        if (d.min !== undefined && d.max !== undefined && d.min > d.max)
          problem(['inputs', name, 'max'], 'max is before min');
        break;
      case 'keys':
        spec = { ...common, type: 'keys', maxCount: d.max_count, maxLength: d.max_length, default: null };
        break;
    }
    if (spec.default !== null) {
      const check = validateRunInputs([{ ...spec, required: true }], { [name]: spec.default });
      if (!check.ok)
        problem(
          ['inputs', name, 'default'],
          `the default ${check.issues[0]?.message.slice(spec.label.length + 1)}`,
        );
    }
    specs.push(spec);
  }
  return specs;
}

/** `max_results` → "Max results". */
function labelFor(name: string): string {
  const words = name.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
