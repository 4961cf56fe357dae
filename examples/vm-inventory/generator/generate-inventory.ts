/**
 * Deterministic generator of a VMware-style inventory for the `vm-inventory` example: datacenters,
 * clusters, hosts sized to their load, VMs with power state, guest OS, vCPU/memory/disk and creation
 * date, labels, and the flaws a real inventory has (VMs without an owner, names used twice,
 * collectors that stopped reporting, VMs deleted but never purged).
 *
 * Determinism: one PRNG seeded from `seed` drives everything in a fixed order, and "now" is the
 * fixed GENERATOR_NOW (the newest collector run), never the real clock. Same seed and VM count →
 * identical tables, on every machine.
 */
import type { ClusterRow, DatacenterRow, HostRow, InventoryTables, VmRow } from './inventory-tables.js';
import { isoDateToEpochDays } from './inventory-tables.js';
import { LabelBuilder } from './generate-labels.js';
import { ownerOfDatacenter } from './organisations.js';
import { Rng } from './rng.js';
import {
  APPS,
  DATACENTERS,
  DESKTOP_OSES,
  GPU_HOST_MODEL,
  GPU_OSES,
  HOST_MEMORY_GB,
  HOST_MODELS,
  HYPERVISORS,
  PURPOSES,
  SERVER_OSES,
  SERVER_ROLES,
  TEAMS,
  type GuestOs,
  type Purpose,
} from './vocabulary.js';

/** Bump when the output for a given seed changes, so generated databases get rebuilt. */
export const GENERATOR_VERSION = '1.1.0';
/** The newest inventory collection: snapshot ages are measured from here. */
export const GENERATOR_NOW = '2026-08-01 06:00:00';
/** The last day VMs are created on (the day before GENERATOR_NOW). */
const LAST_CREATED = '2026-07-31';
const FIRST_CREATED = '2016-01-01';
/** A migration wave: many VMs were rebuilt in this month (a visible bump in "created per month"). */
const MIGRATION_MONTH = '2021-03';
export const DEFAULT_SEED = 20260801;
export const DEFAULT_VMS = 25_000;
export const MIN_VMS = 1;
/** vm ids are vm-100000…; past this the tables would also outgrow what the example is for. */
export const MAX_VMS = 200_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface GenerateOptions {
  readonly vms: number;
  readonly seed: number;
}

interface ClusterPlan {
  readonly row: ClusterRow;
  readonly purpose: Purpose;
  readonly weight: number;
  /** Hours the cluster's collector is behind GENERATOR_NOW. */
  readonly lagHours: number;
  vcpuOn: number;
  memoryOn: number;
  vms: VmRow[];
}

export function generateInventory(options: GenerateOptions): InventoryTables {
  const { vms, seed } = options;
  if (!Number.isInteger(vms) || vms < MIN_VMS || vms > MAX_VMS)
    throw new RangeError(`vms must be an integer between ${MIN_VMS} and ${MAX_VMS}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError('seed must be an integer between 0 and 4294967295');
  const rng = new Rng(seed);

  const datacenters: DatacenterRow[] = DATACENTERS.map((d) => ({
    datacenter: d.id,
    name: d.name,
    region: d.region,
    country: d.country,
    city: d.city,
    tier: d.tier,
    opened_date: d.opened,
    org: ownerOfDatacenter(d.id),
  }));
  const clusters = planClusters(rng);
  const labels = new LabelBuilder(rng);
  // Each application belongs to one team, a few teams owning most of them.
  const appTeams = new Map(APPS.map((app) => [app, rng.skewed(TEAMS, 0.7)]));
  const names = new Map<string, number>();
  const allVms: VmRow[] = [];

  for (let i = 0; i < vms; i++) {
    const dc = rng.choose(DATACENTERS.map((d) => [d, d.weight] as const));
    const cluster = rng.choose(
      clusters.filter((c) => c.row.datacenter === dc.id).map((c) => [c, c.weight] as const),
    );
    const profile = PURPOSES[cluster.purpose];
    const vcpu = rng.choose(profile.vcpu);
    const memory = Math.max(1, vcpu * rng.choose(profile.memoryPerVcpu));
    const power = rng.choose(profile.power);
    const created = createdDate(rng, dc.opened);
    const os = guestOs(rng, cluster.purpose, Number(created.slice(0, 4)));
    // VMware Tools report nothing for many powered-off VMs, and for a few running ones.
    const osKnown = !rng.chance(power === 'on' ? 0.008 : 0.25);
    const app = cluster.purpose === 'vdi' ? 'vdi' : rng.skewed(APPS, 0.9);
    const role = rng.choose(SERVER_ROLES);
    const disk = Math.min(
      4000,
      Math.max(20, Math.round((rng.logNormal(80, 0.7) * (role === 'db' ? 4 : 1)) / 10) * 10),
    );
    const vm: VmRow = {
      vm_id: `vm-${100_000 + i}`,
      name: vmName(rng, names, allVms, cluster, app, role),
      power_state: power,
      guest_os: osKnown ? os.name : null,
      os_family: osKnown ? os.family : 'Unknown',
      vcpu,
      memory_gb: memory,
      disk_gb: disk,
      created_date: created,
      cluster: cluster.row.cluster,
      datacenter: dc.id,
      host: '', // assigned once the cluster's hosts are sized to its load, below
      last_seen_at: lastSeen(rng, cluster.lagHours),
      org: cluster.row.org,
    };
    allVms.push(vm);
    cluster.vms.push(vm);
    if (power === 'on') {
      cluster.vcpuOn += vcpu;
      cluster.memoryOn += memory;
    }
    // VDI desktops (app 'vdi', not in APPS) belong to the workplace team.
    labels.addVm({ vmId: vm.vm_id, purpose: cluster.purpose, app, team: appTeams.get(app) ?? 'workplace' });
  }

  const hosts: HostRow[] = [];
  for (const cluster of clusters) hosts.push(...sizeHosts(rng, cluster));

  return {
    datacenters,
    clusters: clusters.map((c) => c.row),
    hosts,
    vms: allVms,
    labels: labels.labels,
    vm_labels: labels.links,
    meta: [
      { key: 'generator_version', value: GENERATOR_VERSION },
      { key: 'seed', value: String(seed) },
      { key: 'vm_count', value: String(vms) },
      { key: 'snapshot_at', value: GENERATOR_NOW },
    ],
  };
}

/**
 * Clusters per datacenter grow with its size; each has a prod and a nonprod cluster first. Four
 * clusters get a collector that fell behind (12 and 30 hours, 3½ and 9 days): the stale snapshots.
 */
function planClusters(rng: Rng): ClusterPlan[] {
  const plans: ClusterPlan[] = [];
  for (const dc of DATACENTERS) {
    const count = 2 + Math.round(dc.weight / 3);
    const seq = new Map<Purpose, number>();
    for (let k = 0; k < count; k++) {
      const purpose: Purpose =
        k === 0
          ? 'prod'
          : k === 1
            ? 'nonprod'
            : rng.choose(
                (Object.keys(PURPOSES) as Purpose[]).map((p) => [p, PURPOSES[p].clusterWeight] as const),
              );
      const n = (seq.get(purpose) ?? 0) + 1;
      seq.set(purpose, n);
      plans.push({
        row: {
          cluster: `${dc.id}-${purpose}-${String(n).padStart(2, '0')}`,
          datacenter: dc.id,
          purpose,
          hypervisor: rng.choose(HYPERVISORS),
          ha_enabled: rng.chance(purpose === 'prod' ? 0.95 : 0.7),
          org: ownerOfDatacenter(dc.id),
        },
        purpose,
        weight: PURPOSES[purpose].size * rng.logNormal(1, 0.35),
        lagHours: rng.next() * 1.5,
        vcpuOn: 0,
        memoryOn: 0,
        vms: [],
      });
    }
  }
  const lagging = [12, 30, 84, 216];
  for (const hours of lagging) {
    const fresh = plans.filter((p) => p.lagHours < 2 && p.row.datacenter !== 'iad1');
    const chosen = rng.pick(fresh);
    plans[plans.indexOf(chosen)] = { ...chosen, lagHours: hours };
  }
  return plans;
}

/** Creation dates grow over time (more VMs every year), plus the migration wave. */
function createdDate(rng: Rng, opened: string): string {
  const first = Math.max(isoDateToEpochDays(FIRST_CREATED), isoDateToEpochDays(opened));
  const last = isoDateToEpochDays(LAST_CREATED);
  const wave = isoDateToEpochDays(`${MIGRATION_MONTH}-01`);
  if (wave >= first && rng.chance(0.02)) return isoDate(wave + rng.int(0, 30));
  return isoDate(first + Math.floor(Math.sqrt(rng.next()) * (last - first + 1)));
}

function guestOs(rng: Rng, purpose: Purpose, year: number): GuestOs {
  const list = purpose === 'vdi' ? DESKTOP_OSES : purpose === 'gpu' ? GPU_OSES : SERVER_OSES;
  const usable = list.filter((o) => o.from <= year && year <= o.until);
  const pool = usable.length ? usable : list;
  return rng.choose(pool.map((o) => [o, o.weight] as const));
}

/**
 * Names are unique per prefix (billing-api-07, vdi-fra1-0042), except about 1 in 80 VMs that reuse
 * an existing name: clones and DR copies nobody renamed — the "duplicates by name" check.
 */
function vmName(
  rng: Rng,
  names: Map<string, number>,
  earlier: readonly VmRow[],
  cluster: ClusterPlan,
  app: string,
  role: string,
): string {
  if (earlier.length > 50 && rng.chance(0.0125)) return rng.pick(earlier).name;
  const dc = cluster.row.datacenter;
  const prefix =
    cluster.purpose === 'vdi'
      ? `vdi-${dc}`
      : cluster.purpose === 'gpu'
        ? `ml-${app}-gpu`
        : cluster.purpose === 'dmz'
          ? `${app}-edge`
          : cluster.purpose === 'nonprod'
            ? `${app}-${role}-${rng.pick(['dev', 'test', 'stg'])}`
            : `${app}-${role}`;
  const n = (names.get(prefix) ?? 0) + 1;
  names.set(prefix, n);
  return `${prefix}-${String(n).padStart(cluster.purpose === 'vdi' ? 4 : 2, '0')}`;
}

/** Seen by the cluster's last collector run, minus a few minutes; 1.5% are ghosts seen weeks ago. */
function lastSeen(rng: Rng, lagHours: number): string {
  const now = Date.parse(`${GENERATOR_NOW.replace(' ', 'T')}Z`);
  const ageMs = rng.chance(0.015)
    ? rng.int(8, 60) * DAY_MS + rng.int(0, 23) * HOUR_MS
    : lagHours * HOUR_MS + rng.int(0, 20 * 60) * 1000;
  return new Date(now - ageMs).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Hosts of one cluster, sized so the running VMs' vCPUs come to about the purpose's target per core
 * (some clusters over, some under, as capacity plans drift), plus one spare host for HA (N+1).
 */
function sizeHosts(rng: Rng, cluster: ClusterPlan): HostRow[] {
  const model = cluster.purpose === 'gpu' ? GPU_HOST_MODEL : rng.choose(HOST_MODELS);
  const target = PURPOSES[cluster.purpose].vcpuPerCore * (0.6 + rng.next() * 0.8);
  const count = Math.max(3, Math.ceil(cluster.vcpuOn / (model.cores * target)) + 1);
  const memoryTarget = 0.6 + rng.next() * 0.45;
  const perHost = cluster.memoryOn / (count * memoryTarget);
  const memory =
    HOST_MEMORY_GB.find((m) => m >= perHost) ?? HOST_MEMORY_GB[HOST_MEMORY_GB.length - 1] ?? 2048;
  const hosts: HostRow[] = [];
  for (let k = 1; k <= count; k++) {
    hosts.push({
      host: `${cluster.row.cluster}-esx${String(k).padStart(2, '0')}`,
      cluster: cluster.row.cluster,
      datacenter: cluster.row.datacenter,
      model: model.name,
      cpu_cores: model.cores,
      memory_gb: memory,
      status: rng.choose([
        ['connected', 94],
        ['maintenance', 5],
        ['disconnected', 1],
      ]),
      org: cluster.row.org,
    });
  }
  for (const vm of cluster.vms) vm.host = rng.pick(hosts).host;
  return hosts;
}

function isoDate(epochDays: number): string {
  return new Date(epochDays * DAY_MS).toISOString().slice(0, 10);
}
