import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDatabase, type BuildDatabaseResult } from './build-database.js';
import { GENERATOR_NOW, GENERATOR_VERSION, generateInventory } from './generate-inventory.js';
import { TABLE_NAMES, type InventoryTables } from './inventory-tables.js';

const VMS = 4000;
const SEED = 777;

let dir = '';
let tables: InventoryTables;
let first: BuildDatabaseResult;
let second: BuildDatabaseResult;
let instance: DuckDBInstance | undefined;
let db: DuckDBConnection;

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

async function one(sql: string): Promise<Record<string, unknown>> {
  const r = (await rows(db, sql))[0];
  if (r === undefined) throw new Error(`no row from: ${sql}`);
  return r;
}

/** Per table: row count, an order-independent hash sum and an md5 over the rows in sorted order. */
async function checksums(file: string): Promise<Record<string, unknown>> {
  const inst = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    const out: Record<string, unknown> = {};
    for (const table of TABLE_NAMES) {
      out[table] = (
        await rows(
          conn,
          `SELECT count(*)::INTEGER AS n, sum(hash(t))::VARCHAR AS hashsum,
                  md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))) AS digest
           FROM "${table}" t`,
        )
      )[0];
    }
    return out;
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'trellis-vm-build-'));
  const a = path.join(dir, 'a.duckdb');
  // A stale temp file from a crashed build must not get in the way.
  writeFileSync(`${a}.tmp`, 'garbage from an earlier crash');
  tables = generateInventory({ vms: VMS, seed: SEED });
  first = await buildDatabase(a, tables);
  second = await buildDatabase(path.join(dir, 'b.duckdb'), generateInventory({ vms: VMS, seed: SEED }));
  instance = await DuckDBInstance.create(a, { access_mode: 'READ_ONLY' });
  db = await instance.connect();
});

afterAll(async () => {
  db?.closeSync();
  instance?.closeSync();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('generateInventory', () => {
  it('is deterministic: the same seed gives identical tables, another seed does not', () => {
    const run = (seed: number) => JSON.stringify(generateInventory({ vms: 500, seed }));
    expect(run(SEED)).toBe(run(SEED));
    expect(run(SEED + 1)).not.toBe(run(SEED));
  });

  it('rejects bad options', () => {
    expect(() => generateInventory({ vms: 0, seed: 1 })).toThrow(RangeError);
    expect(() => generateInventory({ vms: 10, seed: 1.5 })).toThrow(RangeError);
    expect(() => generateInventory({ vms: 10, seed: 2 ** 32 })).toThrow(RangeError);
    expect(() => generateInventory({ vms: 200_001, seed: 1 })).toThrow(RangeError);
  });

  it('records version, seed, count and snapshot time in meta', () => {
    expect(Object.fromEntries(tables.meta.map((m) => [m.key, m.value]))).toEqual({
      generator_version: GENERATOR_VERSION,
      seed: String(SEED),
      vm_count: String(VMS),
      snapshot_at: GENERATOR_NOW,
    });
  });
});

describe('buildDatabase', () => {
  it('writes the file atomically and leaves no temp files behind', () => {
    expect(existsSync(first.file)).toBe(true);
    expect(existsSync(`${first.file}.tmp`)).toBe(false);
    expect(existsSync(`${first.file}.tmp.wal`)).toBe(false);
    expect(first.bytes).toBeGreaterThan(0);
  });

  it('is reproducible: two builds with the same seed have identical rows (checksums)', async () => {
    expect(second.rowCounts).toEqual(first.rowCounts);
    const [a, b] = await Promise.all([checksums(first.file), checksums(second.file)]);
    expect(b).toEqual(a);
    for (const table of TABLE_NAMES) expect(first.rowCounts[table], table).toBe(tables[table].length);
  });

  it('keeps every reference whole: VMs on known clusters and hosts, labels on known VMs', async () => {
    const r = await one(`
      SELECT
        (SELECT count(*) FROM vms v ANTI JOIN clusters c USING (cluster))::INTEGER AS vm_no_cluster,
        (SELECT count(*) FROM vms v ANTI JOIN hosts h USING (host))::INTEGER AS vm_no_host,
        (SELECT count(*) FROM vms v JOIN hosts h USING (host) WHERE h.cluster <> v.cluster)::INTEGER AS vm_host_elsewhere,
        (SELECT count(*) FROM vms v JOIN clusters c USING (cluster) WHERE c.datacenter <> v.datacenter)::INTEGER AS vm_dc_mismatch,
        (SELECT count(*) FROM vm_labels l ANTI JOIN vms v USING (vm_id))::INTEGER AS label_no_vm,
        (SELECT count(*) FROM vm_labels l ANTI JOIN labels USING (label_id))::INTEGER AS link_no_label,
        (SELECT count(*) FROM (SELECT label_key, label_value FROM labels GROUP BY ALL HAVING count(*) > 1))::INTEGER AS dup_labels,
        (SELECT count(*) FROM (SELECT vm_id, label_id FROM vm_labels GROUP BY ALL HAVING count(*) > 1))::INTEGER AS dup_links,
        (SELECT count(*) FROM (SELECT vm_id FROM vm_labels JOIN labels USING (label_id) WHERE label_key = 'owner' GROUP BY vm_id HAVING count(*) > 1))::INTEGER AS two_owners`);
    expect(r).toEqual({
      vm_no_cluster: 0,
      vm_no_host: 0,
      vm_host_elsewhere: 0,
      vm_dc_mismatch: 0,
      label_no_vm: 0,
      link_no_label: 0,
      dup_labels: 0,
      dup_links: 0,
      two_owners: 0,
    });
  });

  it('gives each datacenter, with its clusters, hosts and VMs, to one demo organisation, about 58/42', async () => {
    const r = await one(`
      SELECT
        (SELECT count(*) FROM clusters c JOIN datacenters d USING (datacenter) WHERE c.org <> d.org)::INTEGER AS clusters_elsewhere,
        (SELECT count(*) FROM hosts h JOIN clusters c USING (cluster) WHERE h.org <> c.org)::INTEGER AS hosts_elsewhere,
        (SELECT count(*) FROM vms v JOIN clusters c USING (cluster) WHERE v.org <> c.org)::INTEGER AS vms_elsewhere,
        (SELECT count(*) FROM datacenters WHERE org NOT IN ('acme', 'globex'))::INTEGER AS unknown_orgs,
        (SELECT avg(CASE WHEN org = 'acme' THEN 1.0 ELSE 0.0 END) FROM vms)::DOUBLE AS acme_share`);
    expect(r).toMatchObject({ clusters_elsewhere: 0, hosts_elsewhere: 0, vms_elsewhere: 0, unknown_orgs: 0 });
    expect(r['acme_share']).toBeGreaterThan(0.5);
    expect(r['acme_share']).toBeLessThan(0.66);
  });

  it('has realistic skew and the flaws the quality dashboard looks for', async () => {
    const r = await one(`
      SELECT
        avg(CASE WHEN power_state = 'on' THEN 1 ELSE 0 END) AS on_share,
        count(DISTINCT power_state)::INTEGER AS power_states,
        count(*) FILTER (WHERE guest_os IS NULL)::INTEGER AS unknown_os,
        count(*) FILTER (WHERE guest_os IS NULL AND os_family <> 'Unknown')::INTEGER AS family_mismatch,
        count(*) FILTER (WHERE last_seen_at > TIMESTAMP '${GENERATOR_NOW}')::INTEGER AS seen_in_future,
        count(*) FILTER (WHERE last_seen_at < TIMESTAMP '${GENERATOR_NOW}' - INTERVAL 7 DAY)::INTEGER AS very_stale,
        count(*) FILTER (WHERE created_date > DATE '${GENERATOR_NOW.slice(0, 10)}')::INTEGER AS created_in_future,
        (SELECT count(*) FROM vms v JOIN datacenters d USING (datacenter) WHERE v.created_date < d.opened_date)::INTEGER AS before_opening,
        count(*) - count(DISTINCT name) AS reused_names,
        min(vcpu) AS min_vcpu, max(vcpu) AS max_vcpu, min(disk_gb) AS min_disk, max(disk_gb) AS max_disk
      FROM vms`);
    expect(r['on_share']).toBeGreaterThan(0.65);
    expect(r['on_share']).toBeLessThan(0.9);
    expect(r['power_states']).toBe(3);
    expect(r['unknown_os']).toBeGreaterThan(0);
    expect(r['very_stale']).toBeGreaterThan(0);
    expect(Number(r['reused_names'])).toBeGreaterThan(0);
    for (const bad of ['family_mismatch', 'seen_in_future', 'created_in_future', 'before_opening'])
      expect(r[bad], bad).toBe(0);
    expect(r['min_vcpu']).toBe(1);
    expect(r['max_vcpu']).toBeLessThanOrEqual(64);
    expect(r['min_disk']).toBeGreaterThanOrEqual(20);
    expect(r['max_disk']).toBeLessThanOrEqual(4000);

    // The biggest datacenter holds several times the smallest; owners are missing more on nonprod.
    const dcs = await rows(
      db,
      'SELECT datacenter, count(*)::INTEGER AS n FROM vms GROUP BY 1 ORDER BY 2 DESC',
    );
    expect(Number(dcs[0]?.['n'])).toBeGreaterThan(3 * Number(dcs.at(-1)?.['n']));
    const owners = await rows(
      db,
      `SELECT c.purpose, avg(CASE WHEN o.vm_id IS NULL THEN 1.0 ELSE 0.0 END) AS missing
       FROM vms v JOIN clusters c USING (cluster)
       LEFT JOIN (SELECT vm_id FROM vm_labels JOIN labels USING (label_id) WHERE label_key = 'owner') o USING (vm_id)
       GROUP BY 1`,
    );
    const missing = Object.fromEntries(owners.map((o) => [o['purpose'], Number(o['missing'])]));
    expect(missing['nonprod']).toBeGreaterThan(missing['prod'] ?? 1);
  });
});
