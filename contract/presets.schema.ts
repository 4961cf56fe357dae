import { z } from 'zod';
import { filterValues } from './filters.schema.js';

/** Bounds of saved presets (docs/dashboards.md): enforced by the server, shown by the web app. */
export const MAX_PRESET_NAME = 80;
/** Personal presets one user may keep per dashboard. */
export const MAX_OWN_PRESETS = 50;
/** Shared presets one organisation may keep per dashboard. */
export const MAX_SHARED_PRESETS = 100;
/** The stored filters of one preset, as JSON. */
export const MAX_PRESET_BYTES = 32_768;

const presetName = z
  .string()
  .trim()
  .min(1, 'a preset needs a name')
  .max(MAX_PRESET_NAME, `at most ${MAX_PRESET_NAME} characters`)
  .refine(
    (s) => ![...s].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127),
    'no control characters',
  );

export const presetIdParam = z.string().min(1).max(40);

export const filterPreset = z.object({
  id: z.string(),
  name: z.string(),
  /** Shared with every member of the organisation who may open the dashboard. */
  shared: z.boolean(),
  /** The caller saved it (and so may rename, share or delete it). */
  mine: z.boolean(),
  /** The caller may rename and delete it (theirs, or an admin for a shared one). */
  editable: z.boolean(),
  /** Filter id → value, checked against the dashboard's current filters (ids and values only). */
  filters: z.record(z.string(), z.unknown()),
  /**
   * Filters the project no longer has (or values that no longer fit) were dropped from `filters`
   * when it was read; the stored preset is unchanged until it is saved again.
   */
  dropped: z.array(z.string()),
  updatedAt: z.string(),
});
export type FilterPreset = z.infer<typeof filterPreset>;

export const presetList = z.object({
  presets: z.array(filterPreset),
  /** The caller's default preset of this dashboard, if any (applied when the page opens unfiltered). */
  defaultPresetId: z.string().nullable(),
});
export type PresetList = z.infer<typeof presetList>;

export const createPresetRequest = z
  .object({ name: presetName, filters: filterValues, shared: z.boolean().default(false) })
  .strict();
export type CreatePresetRequest = z.input<typeof createPresetRequest>;

export const updatePresetRequest = z
  .object({ name: presetName.optional(), filters: filterValues.optional(), shared: z.boolean().optional() })
  .strict()
  .refine(
    (r) => r.name !== undefined || r.filters !== undefined || r.shared !== undefined,
    'nothing to change',
  );
export type UpdatePresetRequest = z.input<typeof updatePresetRequest>;

export const defaultPresetRequest = z.object({ presetId: presetIdParam.nullable() }).strict();
export type DefaultPresetRequest = z.infer<typeof defaultPresetRequest>;
