import type { Project } from '../config/project/project.types.js';
import { filterQueryOf } from '../exports/filter-query.js';
import type { OrganisationId } from '../policies/tenant.js';
import { getDashboard } from './dashboards.service.js';
import type { PresetsService } from './presets.service.js';
import type { Viewer } from './viewer.js';

/** A preset's filters in both forms a report takes: values (CSV) and the dashboard query (PDF). */
export interface PresetRequest {
  readonly filters: Record<string, unknown>;
  readonly query: string;
}

export type PresetFilters = (
  organisation: OrganisationId,
  viewer: Viewer & { readonly user: string },
  dashboard: string,
  presetId: string,
) => Promise<PresetRequest>;

/**
 * Reads a subscription's preset as its subscriber would apply it now: the dashboard as their role
 * sees it (DASHBOARD_NOT_FOUND else), the preset through the presets policy — their own or shared in
 * their organisation; another member's personal preset or another organisation's answers
 * PRESET_NOT_FOUND, exactly as for an id that never existed — and its values checked against the
 * dashboard's filters as they are today.
 */
export function presetFiltersFrom(project: Project, presets: PresetsService): PresetFilters {
  return async (organisation, viewer, dashboardId, presetId) => {
    const dashboard = getDashboard(project, dashboardId, viewer);
    const preset = await presets.get(
      organisation,
      { organisationId: organisation, userId: viewer.user, role: viewer.role },
      dashboard,
      presetId,
    );
    return { filters: preset.filters, query: filterQueryOf(dashboard, preset.filters) };
  };
}
