/**
 * The vm-inventory tables: row types and column specs, shared by the DuckDB writer and the
 * PostgreSQL loader so both databases get the same columns with the same types. Column kinds are
 * engine-neutral; each writer maps them to its own SQL type names.
 *
 * Dates are 'YYYY-MM-DD' and timestamps 'YYYY-MM-DD HH:MM:SS' (UTC, no zone) strings: the same text
 * reads as the same value in every engine, with no JS Date and no session time zone in between.
 */
export type ColumnKind = 'text' | 'integer' | 'double' | 'date' | 'timestamp' | 'boolean';

export interface ColumnSpec<R> {
  readonly name: keyof R & string;
  readonly kind: ColumnKind;
}

export interface TableSpec<R> {
  readonly name: string;
  /** Single-column key, checked by both databases (a duplicate is a generator bug). */
  readonly key?: keyof R & string;
  readonly columns: readonly ColumnSpec<R>[];
}

export interface DatacenterRow {
  datacenter: string;
  name: string;
  region: string;
  country: string;
  city: string;
  tier: string;
  opened_date: string;
  /** The organisation (tenant) that owns the datacenter: organisations.ts. */
  org: string;
}

export interface ClusterRow {
  cluster: string;
  datacenter: string;
  purpose: string;
  hypervisor: string;
  ha_enabled: boolean;
  /** The organisation (tenant) that owns the datacenter: organisations.ts. */
  org: string;
}

export interface HostRow {
  host: string;
  cluster: string;
  datacenter: string;
  model: string;
  cpu_cores: number;
  memory_gb: number;
  status: string;
  /** The organisation (tenant) that owns the datacenter: organisations.ts. */
  org: string;
}

export interface VmRow {
  vm_id: string;
  name: string;
  power_state: string;
  guest_os: string | null;
  os_family: string;
  vcpu: number;
  memory_gb: number;
  disk_gb: number;
  created_date: string;
  cluster: string;
  datacenter: string;
  host: string;
  /** When the inventory collector last saw the VM. */
  last_seen_at: string;
  /** The organisation (tenant) that owns the datacenter: organisations.ts. */
  org: string;
}

export interface LabelRow {
  label_id: number;
  label_key: string;
  label_value: string;
}

export interface VmLabelRow {
  vm_id: string;
  label_id: number;
}

export interface MetaRow {
  key: string;
  value: string;
}

export interface InventoryTables {
  datacenters: DatacenterRow[];
  clusters: ClusterRow[];
  hosts: HostRow[];
  vms: VmRow[];
  labels: LabelRow[];
  vm_labels: VmLabelRow[];
  meta: MetaRow[];
}
export type TableName = keyof InventoryTables;

const text = <R>(name: keyof R & string): ColumnSpec<R> => ({ name, kind: 'text' });
const integer = <R>(name: keyof R & string): ColumnSpec<R> => ({ name, kind: 'integer' });

export const INVENTORY_TABLES: { readonly [T in TableName]: TableSpec<InventoryTables[T][number]> } = {
  datacenters: {
    name: 'datacenters',
    key: 'datacenter',
    columns: [
      text('datacenter'),
      text('name'),
      text('region'),
      text('country'),
      text('city'),
      text('tier'),
      { name: 'opened_date', kind: 'date' },
      text('org'),
    ],
  },
  clusters: {
    name: 'clusters',
    key: 'cluster',
    columns: [
      text('cluster'),
      text('datacenter'),
      text('purpose'),
      text('hypervisor'),
      { name: 'ha_enabled', kind: 'boolean' },
      text('org'),
    ],
  },
  hosts: {
    name: 'hosts',
    key: 'host',
    columns: [
      text('host'),
      text('cluster'),
      text('datacenter'),
      text('model'),
      integer('cpu_cores'),
      integer('memory_gb'),
      text('status'),
      text('org'),
    ],
  },
  vms: {
    name: 'vms',
    key: 'vm_id',
    columns: [
      text('vm_id'),
      text('name'),
      text('power_state'),
      text('guest_os'),
      text('os_family'),
      integer('vcpu'),
      integer('memory_gb'),
      integer('disk_gb'),
      { name: 'created_date', kind: 'date' },
      text('cluster'),
      text('datacenter'),
      text('host'),
      { name: 'last_seen_at', kind: 'timestamp' },
      text('org'),
    ],
  },
  labels: {
    name: 'labels',
    key: 'label_id',
    columns: [integer('label_id'), text('label_key'), text('label_value')],
  },
  vm_labels: { name: 'vm_labels', columns: [text('vm_id'), integer('label_id')] },
  meta: { name: 'meta', key: 'key', columns: [text('key'), text('value')] },
};

/** Creation order: referenced tables first (the loaders drop in reverse). */
export const TABLE_NAMES: readonly TableName[] = [
  'datacenters',
  'clusters',
  'hosts',
  'vms',
  'labels',
  'vm_labels',
  'meta',
];

/**
 * Calls `fn` once per table with its spec and rows. Spelled out per table so each call keeps its
 * row type (a loop over the names would see a union of specs and a union of row arrays).
 */
export async function forEachTable(
  tables: InventoryTables,
  fn: <R>(spec: TableSpec<R>, rows: readonly R[]) => Promise<void>,
): Promise<void> {
  await fn(INVENTORY_TABLES.datacenters, tables.datacenters);
  await fn(INVENTORY_TABLES.clusters, tables.clusters);
  await fn(INVENTORY_TABLES.hosts, tables.hosts);
  await fn(INVENTORY_TABLES.vms, tables.vms);
  await fn(INVENTORY_TABLES.labels, tables.labels);
  await fn(INVENTORY_TABLES.vm_labels, tables.vm_labels);
  await fn(INVENTORY_TABLES.meta, tables.meta);
}

/** 'YYYY-MM-DD' → days since 1970-01-01 (DuckDB's DATE), rejecting anything else. */
export function isoDateToEpochDays(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new TypeError(`not an ISO date: ${iso}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000;
}

/** 'YYYY-MM-DD HH:MM:SS' (UTC) → microseconds since the epoch (DuckDB's TIMESTAMP). */
export function isoTimestampToEpochMicros(iso: string): bigint {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(iso);
  if (!m) throw new TypeError(`not a timestamp 'YYYY-MM-DD HH:MM:SS': ${iso}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return BigInt(ms) * 1000n;
}
