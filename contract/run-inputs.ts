import { z } from 'zod';
import { RUN_INPUT_LIMITS, type RunInputSpec } from './run-input-rules.js';

/**
 * The wire schemas of run inputs (the rules and the validator: run-input-rules.ts, free of zod so
 * the web form can use them).
 */
export * from './run-input-rules.js';

const common = {
  name: z.string(),
  label: z.string(),
  hint: z.string().nullable(),
  required: z.boolean(),
};

export const runInputSpec = z.discriminatedUnion('type', [
  z.object({
    ...common,
    type: z.literal('text'),
    maxLength: z.number().int(),
    /** A regular expression the whole value must match (anchored), or null. */
    pattern: z.string().nullable(),
    default: z.string().nullable(),
  }),
  z.object({
    ...common,
    type: z.literal('number'),
    min: z.number().nullable(),
    max: z.number().nullable(),
    integer: z.boolean(),
    default: z.number().nullable(),
  }),
  z.object({
    ...common,
    type: z.literal('enum'),
    values: z.array(z.string()),
    default: z.string().nullable(),
  }),
  z.object({
    ...common,
    type: z.literal('date'),
    min: z.string().nullable(),
    max: z.string().nullable(),
    default: z.string().nullable(),
  }),
  z.object({
    ...common,
    type: z.literal('keys'),
    maxCount: z.number().int(),
    maxLength: z.number().int(),
    default: z.null(),
  }),
]);

// The schema and the hand-written type describe the same thing.
export type RunInputSpecWire = z.infer<typeof runInputSpec>;
const _sameShape: (s: RunInputSpecWire) => RunInputSpec = (s) => s;
void _sameShape;

/** The values as sent: bounded before any check looks at them. */
export const runInputsBody = z
  .record(
    z.string().max(128),
    z.union([
      z.string().max(RUN_INPUT_LIMITS.textLength * 2),
      z.number(),
      z.null(),
      z.array(z.string().max(RUN_INPUT_LIMITS.keyLength * 2)).max(RUN_INPUT_LIMITS.keys * 2),
    ]),
  )
  .refine((r) => Object.keys(r).length <= RUN_INPUT_LIMITS.inputs * 2, 'too many inputs');
