import type { DashboardUpdate } from '../../contract/index.js';
import type { Project } from '../config/project/project.types.js';
import { isDataWidget } from '../config/project/project.schema.js';
import type { Cache } from '../cache/cache.js';
import { TrellisError } from '../errors.js';
import { getDashboard } from './dashboards.service.js';
import type { Viewer } from './viewer.js';

interface Listener {
  readonly update: (update: DashboardUpdate) => void;
  /** The server is shutting down: end the stream so the shutdown need not wait for it. */
  readonly end: () => void;
}

/**
 * Tells open dashboards which of their widgets have new data. A dataset's version bump (a pipeline or
 * an upload changed it; any instance sharing the cache) becomes, per open dashboard, the ids of the
 * widgets and filters that read that dataset — the browser learns ids, never dataset names.
 *
 * Bounded: at most `maxStreams` listeners in all (TOO_MANY_STREAMS beyond); a page without a stream
 * still refetches when its data's freshness runs out.
 */
export class DashboardEvents {
  private readonly listeners = new Map<string, Set<Listener>>();
  /** dashboard → dataset → what on that dashboard reads it. */
  private readonly readers = new Map<string, Map<string, DashboardUpdate>>();
  private count = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly project: Project,
    cache: Cache,
    private readonly maxStreams: number,
  ) {
    for (const dashboard of project.dashboards.values()) {
      const byDataset = new Map<string, { widgets: string[]; filters: string[] }>();
      const entry = (dataset: string) => {
        let e = byDataset.get(dataset);
        if (!e) byDataset.set(dataset, (e = { widgets: [], filters: [] }));
        return e;
      };
      for (const w of dashboard.widgets) if (isDataWidget(w)) entry(w.dataset).widgets.push(w.id);
      for (const f of dashboard.filters)
        if (f.type === 'multi_select') entry(f.optionsFrom).filters.push(f.id);
      this.readers.set(dashboard.id, byDataset);
    }
    this.unsubscribe = cache.onVersionBump((dataset) => this.announce(dataset));
  }

  get open(): number {
    return this.count;
  }

  /**
   * Listens for updates of one dashboard the viewer may open; returns the function that stops
   * listening. Updates carry widget and filter ids only — a dataset's version is shared by all its
   * tenants, so an event says nothing about any one tenant's rows.
   */
  subscribe(dashboardId: string, viewer: Viewer, listener: Listener): () => void {
    const dashboard = getDashboard(this.project, dashboardId, viewer);
    if (this.count >= this.maxStreams)
      throw new TrellisError('TOO_MANY_STREAMS', { detail: { open: this.count, max: this.maxStreams } });
    let set = this.listeners.get(dashboard.id);
    if (!set) this.listeners.set(dashboard.id, (set = new Set()));
    set.add(listener);
    this.count++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      set.delete(listener);
      this.count--;
    };
  }

  /** Ends every stream (shutdown) and stops listening to the cache. */
  close(): void {
    this.unsubscribe();
    for (const set of this.listeners.values()) for (const listener of [...set]) listener.end();
  }

  private announce(dataset: string): void {
    for (const [dashboardId, set] of this.listeners) {
      const update = this.readers.get(dashboardId)?.get(dataset);
      if (!update || set.size === 0) continue;
      for (const listener of [...set]) listener.update(update);
    }
  }
}
