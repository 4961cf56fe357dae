import type { DashboardLayout, LayoutItem } from '../../contract/index.js';
import { recordAudit, type ActionContext } from '../audit/audit-log.js';
import type { Dashboard } from '../config/project/project.types.js';
import { TrellisError } from '../errors.js';
import type { PresetCaller } from '../policies/preset-policy.js';
import type { OrganisationId } from '../policies/tenant.js';
import type { Store } from '../store/store.js';

/**
 * A user's own layout of a dashboard (docs/dashboards.md, "Own layouts"), kept in
 * dashboard_user_settings.layout beside their default preset: one row per organisation, user and
 * dashboard, so nobody else's layout is ever read or written (every query names all three, the
 * organisation being the branded id from the session). Items name the dashboard's widgets only;
 * sizes are bounded by the contract's schema.
 */
export class LayoutsService {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** The saved layout, without widgets the project no longer has (the web app places new ones). */
  async get(tenant: OrganisationId, caller: PresetCaller, dashboard: Dashboard): Promise<DashboardLayout> {
    const row = await this.store.db
      .selectFrom('dashboard_user_settings')
      .select('layout')
      .where('organisation_id', '=', tenant)
      .where('user_id', '=', caller.userId)
      .where('dashboard_id', '=', dashboard.id)
      .executeTakeFirst();
    if (!row?.layout) return { items: null };
    const ids = widgetIds(dashboard);
    const items = (JSON.parse(row.layout) as LayoutItem[]).filter((i) => ids.has(i.widget));
    return { items: items.length > 0 ? items : null };
  }

  async save(
    tenant: OrganisationId,
    caller: PresetCaller,
    dashboard: Dashboard,
    items: readonly LayoutItem[],
    context: ActionContext,
  ): Promise<DashboardLayout> {
    const ids = widgetIds(dashboard);
    const seen = new Set<string>();
    for (const item of items) {
      // Widget ids are the project's; the caller's text is neither echoed nor logged beyond a count.
      if (!ids.has(item.widget) || seen.has(item.widget))
        throw new TrellisError('LAYOUT_INVALID', {
          detail: { reason: seen.has(item.widget) ? 'duplicate_widget' : 'unknown_widget' },
        });
      seen.add(item.widget);
    }
    const layout = JSON.stringify(items.map(({ widget, x, y, w, h }) => ({ widget, x, y, w, h })));
    await this.write(tenant, caller, dashboard, layout, { widgets: items.length }, context);
    return { items: [...items] };
  }

  /** Back to the project's layout; the default preset, if any, stays. */
  async reset(
    tenant: OrganisationId,
    caller: PresetCaller,
    dashboard: Dashboard,
    context: ActionContext,
  ): Promise<void> {
    await this.write(tenant, caller, dashboard, null, {}, context);
  }

  private async write(
    tenant: OrganisationId,
    caller: PresetCaller,
    dashboard: Dashboard,
    layout: string | null,
    detail: Record<string, number>,
    context: ActionContext,
  ): Promise<void> {
    const at = this.now();
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('dashboard_user_settings')
        .values({
          organisation_id: tenant,
          user_id: caller.userId,
          dashboard_id: dashboard.id,
          default_preset_id: null,
          layout,
          updated_at: at,
        })
        .onConflict((oc) =>
          oc.columns(['organisation_id', 'user_id', 'dashboard_id']).doUpdateSet({ layout, updated_at: at }),
        )
        .execute();
      await recordAudit(tx, at, context, {
        action: layout === null ? 'layout.reset' : 'layout.save',
        outcome: 'success',
        target: dashboard.id,
        detail,
      });
    });
  }
}

function widgetIds(dashboard: Dashboard): Set<string> {
  return new Set(dashboard.widgets.map((w) => w.id));
}
