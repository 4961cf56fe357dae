import { randomBytes } from 'node:crypto';
import {
  MAX_OWN_PRESETS,
  MAX_PRESET_BYTES,
  MAX_SHARED_PRESETS,
  type FilterPreset,
  type FilterValues,
  type PresetList,
} from '../../contract/index.js';
import { recordAudit, type ActionContext } from '../audit/audit-log.js';
import type { Dashboard } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';
import {
  assertMayChangePreset,
  assertMayShare,
  mayChangePreset,
  maySeePreset,
  type PresetCaller,
  type PresetFacts,
} from '../policies/preset-policy.js';
import type { OrganisationId } from '../policies/tenant.js';
import type { FilterPresetsTable } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { checkFilterValues } from './filter-values.js';

const ID = /^prs_[A-Za-z0-9_-]{22}$/;
/** Presets listed per dashboard: the caller's own and the shared ones can never pass both limits. */
const MAX_LISTED = MAX_OWN_PRESETS + MAX_SHARED_PRESETS;

export interface PresetInput {
  readonly name: string;
  readonly filters: FilterValues;
  readonly shared: boolean;
}

/**
 * Saved filter presets (docs/dashboards.md): personal or shared with the organisation, a default per
 * user per dashboard. Every query names the organisation (the branded id from the session) and the
 * dashboard; the policy (policies/preset-policy.ts) decides who sees and changes what. A preset holds
 * filter ids and values only, checked against the dashboard's filters when saved and when read.
 */
export class PresetsService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async list(tenant: OrganisationId, caller: PresetCaller, dashboard: Dashboard): Promise<PresetList> {
    const rows = await this.store.db
      .selectFrom('filter_presets')
      .selectAll()
      .where('organisation_id', '=', tenant)
      .where('dashboard_id', '=', dashboard.id)
      .where((eb) => eb.or([eb('owner_id', '=', caller.userId), eb('shared', '=', 1)]))
      .orderBy('name')
      .orderBy('id')
      .limit(MAX_LISTED)
      .execute();
    const settings = await this.store.db
      .selectFrom('dashboard_user_settings')
      .select('default_preset_id')
      .where('organisation_id', '=', tenant)
      .where('user_id', '=', caller.userId)
      .where('dashboard_id', '=', dashboard.id)
      .executeTakeFirst();
    const presets = rows.map((r) => present(r, caller, dashboard));
    const defaultId = settings?.default_preset_id ?? null;
    // A default that stopped being visible (unshared by its owner) is not offered.
    return { presets, defaultPresetId: presets.some((p) => p.id === defaultId) ? defaultId : null };
  }

  /** One preset to apply (`?preset=`): its filters re-checked against the dashboard as it is now. */
  async get(
    tenant: OrganisationId,
    caller: PresetCaller,
    dashboard: Dashboard,
    id: string,
  ): Promise<FilterPreset> {
    return present(await this.visible(tenant, caller, dashboard, id), caller, dashboard);
  }

  async create(
    tenant: OrganisationId,
    caller: PresetCaller,
    dashboard: Dashboard,
    input: PresetInput,
    context: ActionContext,
  ): Promise<FilterPreset> {
    if (input.shared) assertMayShare(caller);
    const filters = storedFilters(dashboard, input.filters);
    const at = this.now();
    const row: FilterPresetsTable = {
      id: `prs_${randomBytes(16).toString('base64url')}`,
      organisation_id: tenant,
      dashboard_id: dashboard.id,
      owner_id: caller.userId,
      name: input.name,
      shared: input.shared ? 1 : 0,
      filters,
      created_at: at,
      updated_at: at,
    };
    await this.store.db.transaction().execute(async (tx) => {
      const counted = await tx
        .selectFrom('filter_presets')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('organisation_id', '=', tenant)
        .where('dashboard_id', '=', dashboard.id)
        .where((eb) =>
          input.shared
            ? eb('shared', '=', 1)
            : eb.and([eb('owner_id', '=', caller.userId), eb('shared', '=', 0)]),
        )
        .executeTakeFirstOrThrow();
      if (Number(counted.n) >= (input.shared ? MAX_SHARED_PRESETS : MAX_OWN_PRESETS))
        throw new TrellisError('PRESET_LIMIT', { detail: { dashboard: dashboard.id, shared: input.shared } });
      await tx.insertInto('filter_presets').values(row).execute();
      await recordAudit(tx, at, context, {
        action: 'preset.create',
        outcome: 'success',
        target: dashboard.id,
        detail: { preset: row.id, name: row.name, shared: input.shared },
      });
    });
    return present(row, caller, dashboard);
  }

  async update(
    tenant: OrganisationId,
    caller: PresetCaller,
    dashboard: Dashboard,
    id: string,
    change: Partial<PresetInput>,
    context: ActionContext,
  ): Promise<FilterPreset> {
    const row = await this.visible(tenant, caller, dashboard, id);
    assertMayChangePreset(caller, factsOf(row));
    // Sharing (or re-sharing) is an editor's act; a viewer may still rename or unshare their own.
    if (change.shared === true && row.shared === 0) assertMayShare(caller);
    const at = this.now();
    const next: FilterPresetsTable = {
      ...row,
      name: change.name ?? row.name,
      shared: change.shared === undefined ? row.shared : change.shared ? 1 : 0,
      filters: change.filters === undefined ? row.filters : storedFilters(dashboard, change.filters),
      updated_at: at,
    };
    await this.store.db.transaction().execute(async (tx) => {
      if (next.shared === 1 && row.shared === 0) await this.assertRoomToShare(tx, tenant, dashboard);
      await tx
        .updateTable('filter_presets')
        .set({ name: next.name, shared: next.shared, filters: next.filters, updated_at: at })
        .where('id', '=', row.id)
        .where('organisation_id', '=', tenant)
        .execute();
      await recordAudit(tx, at, context, {
        action: 'preset.update',
        outcome: 'success',
        target: dashboard.id,
        detail: {
          preset: row.id,
          name: next.name,
          shared: next.shared === 1,
          filtersChanged: change.filters !== undefined,
        },
      });
    });
    return present(next, caller, dashboard);
  }

  async remove(
    tenant: OrganisationId,
    caller: PresetCaller,
    dashboard: Dashboard,
    id: string,
    context: ActionContext,
  ): Promise<void> {
    const row = await this.visible(tenant, caller, dashboard, id);
    assertMayChangePreset(caller, factsOf(row));
    const at = this.now();
    await this.store.db.transaction().execute(async (tx) => {
      // Whoever had it as their default falls back to none (no dangling ids on either store).
      await tx
        .updateTable('dashboard_user_settings')
        .set({ default_preset_id: null, updated_at: at })
        .where('organisation_id', '=', tenant)
        .where('default_preset_id', '=', row.id)
        .execute();
      await tx
        .deleteFrom('filter_presets')
        .where('id', '=', row.id)
        .where('organisation_id', '=', tenant)
        .execute();
      await recordAudit(tx, at, context, {
        action: 'preset.delete',
        outcome: 'success',
        target: dashboard.id,
        detail: { preset: row.id, name: row.name, shared: row.shared === 1 },
      });
    });
  }

  /** The caller's default preset of the dashboard (null: none); only a preset they can see. */
  async setDefault(
    tenant: OrganisationId,
    caller: PresetCaller,
    dashboard: Dashboard,
    presetId: string | null,
    context: ActionContext,
  ): Promise<void> {
    if (presetId !== null) await this.visible(tenant, caller, dashboard, presetId);
    const at = this.now();
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('dashboard_user_settings')
        .values({
          organisation_id: tenant,
          user_id: caller.userId,
          dashboard_id: dashboard.id,
          default_preset_id: presetId,
          layout: null,
          updated_at: at,
        })
        .onConflict((oc) =>
          oc
            .columns(['organisation_id', 'user_id', 'dashboard_id'])
            .doUpdateSet({ default_preset_id: presetId, updated_at: at }),
        )
        .execute();
      await recordAudit(tx, at, context, {
        action: 'preset.default',
        outcome: 'success',
        target: dashboard.id,
        detail: { preset: presetId },
      });
    });
  }

  /** A preset the caller can see on this dashboard; anything else is not found, whatever the reason. */
  private async visible(
    tenant: OrganisationId,
    caller: PresetCaller,
    dashboard: Dashboard,
    id: string,
  ): Promise<FilterPresetsTable> {
    if (!ID.test(id)) throw new TrellisError('PRESET_NOT_FOUND');
    const row = await this.store.db
      .selectFrom('filter_presets')
      .selectAll()
      .where('id', '=', id)
      .where('organisation_id', '=', tenant)
      .where('dashboard_id', '=', dashboard.id)
      .executeTakeFirst();
    if (!row || !maySeePreset(caller, factsOf(row))) throw new TrellisError('PRESET_NOT_FOUND');
    return row;
  }

  private async assertRoomToShare(
    tx: Pick<Store['db'], 'selectFrom'>,
    tenant: OrganisationId,
    dashboard: Dashboard,
  ): Promise<void> {
    const counted = await tx
      .selectFrom('filter_presets')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('organisation_id', '=', tenant)
      .where('dashboard_id', '=', dashboard.id)
      .where('shared', '=', 1)
      .executeTakeFirstOrThrow();
    if (Number(counted.n) >= MAX_SHARED_PRESETS)
      throw new TrellisError('PRESET_LIMIT', { detail: { dashboard: dashboard.id, shared: true } });
  }
}

function factsOf(row: FilterPresetsTable): PresetFacts {
  return { organisationId: row.organisation_id, ownerId: row.owner_id, shared: row.shared === 1 };
}

/**
 * The JSON a preset keeps: each value checked against its filter (UNKNOWN_FILTER,
 * INVALID_FILTER_VALUE otherwise), empty ones dropped, within MAX_PRESET_BYTES.
 */
function storedFilters(dashboard: Dashboard, raw: FilterValues): string {
  const checked = checkFilterValues(dashboard, raw);
  const json = JSON.stringify(Object.fromEntries(checked.map((c) => [c.filter.id, c.value])));
  if (Buffer.byteLength(json) > MAX_PRESET_BYTES)
    throw new TrellisError('PRESET_TOO_LARGE', { detail: { bytes: Buffer.byteLength(json) } });
  return json;
}

/**
 * What the browser gets: the stored values that still fit the dashboard's filters, and the ids of
 * those that do not (a filter removed or retyped in the project since the preset was saved).
 */
function present(row: FilterPresetsTable, caller: PresetCaller, dashboard: Dashboard): FilterPreset {
  const stored = parseStored(row.filters);
  const filters: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [id, value] of Object.entries(stored)) {
    const checked = checkOneStored(dashboard, id, value);
    if (checked === undefined) dropped.push(id);
    else filters[id] = checked;
  }
  return {
    id: row.id,
    name: row.name,
    shared: row.shared === 1,
    mine: row.owner_id === caller.userId,
    editable: mayChangePreset(caller, factsOf(row)),
    filters,
    dropped,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function parseStored(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** One stored value against the dashboard as it is now: its checked value, or undefined if it no longer fits. */
function checkOneStored(dashboard: Dashboard, id: string, value: unknown): unknown {
  try {
    return checkFilterValues(dashboard, { [id]: value })[0]?.value;
  } catch (err) {
    // Only "this filter is gone or changed type" means drop it; anything else is a real failure.
    if (err instanceof TrellisError && (err.code === 'UNKNOWN_FILTER' || err.code === 'INVALID_FILTER_VALUE'))
      return undefined;
    throw err;
  }
}
