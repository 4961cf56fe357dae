import type { z } from 'zod';

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly in?: z.ZodType;
  readonly values?: readonly unknown[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * The keys an object in a project file may have at `path` (for "did you mean" on an unknown key),
 * found by walking the zod schema alongside the data (a union's member is picked by its
 * discriminator's value in the data). Empty when the path leads nowhere known.
 */
export function keysAt(schema: z.ZodType, data: unknown, path: readonly (string | number)[]): string[] {
  let node: z.ZodType | undefined = schema;
  let value: unknown = data;
  for (let i = 0; node;) {
    const def = defOf(node);
    if (def.innerType) node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else if (def.type === 'union') node = pickOption(def, value);
    else if (i === path.length) return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
    else {
      const segment = path[i++];
      value = isRecord(value) && segment !== undefined ? value[segment] : undefined;
      if (def.type === 'object') node = def.shape?.[String(segment)];
      else if (def.type === 'record') node = def.valueType;
      else if (def.type === 'array') node = def.element;
      else return [];
    }
  }
  return [];
}

function pickOption(def: Def, value: unknown): z.ZodType | undefined {
  const key = def.discriminator;
  if (!key || !isRecord(value)) return undefined;
  return def.options?.find((o) => {
    const literal = defOf(o).shape?.[key];
    return literal !== undefined && (defOf(literal).values ?? []).includes(value[key]);
  });
}

function isRecord(v: unknown): v is Record<string | number, unknown> {
  return typeof v === 'object' && v !== null;
}
