-- One row per cluster: the physical capacity of its hosts next to what its running VMs are
-- allocated. Disconnected hosts add no capacity; hosts in maintenance still do (they come back).
-- Portable on purpose (DuckDB, PostgreSQL, MySQL): pre-aggregated subqueries, CASE, COALESCE, NULLIF,
-- and `* 1.0` before dividing so that integer division never truncates a ratio.
-- Only the signed-in organisation's estate: :tenant (bound from the session) scopes every table read.
SELECT
  c.org,
  c.cluster,
  c.datacenter,
  c.purpose,
  c.hypervisor,
  COALESCE(h.hosts, 0) AS hosts,
  COALESCE(h.physical_cores, 0) AS physical_cores,
  COALESCE(h.host_memory_gb, 0) AS host_memory_gb,
  COALESCE(v.vms, 0) AS vms,
  COALESCE(v.powered_on_vms, 0) AS powered_on_vms,
  COALESCE(v.vcpu_allocated, 0) AS vcpu_allocated,
  COALESCE(v.memory_allocated_gb, 0) AS memory_allocated_gb,
  COALESCE(v.disk_allocated_gb, 0) AS disk_allocated_gb,
  v.vcpu_allocated * 1.0 / NULLIF(h.physical_cores, 0) AS vcpu_ratio,
  v.memory_allocated_gb * 1.0 / NULLIF(h.host_memory_gb, 0) AS memory_ratio
FROM clusters c
LEFT JOIN (
  SELECT cluster, count(*) AS hosts, sum(cpu_cores) AS physical_cores, sum(memory_gb) AS host_memory_gb
  FROM hosts
  WHERE status <> 'disconnected' AND org = :tenant
  GROUP BY cluster
) h ON h.cluster = c.cluster
LEFT JOIN (
  SELECT
    cluster,
    count(*) AS vms,
    sum(CASE WHEN power_state = 'on' THEN 1 ELSE 0 END) AS powered_on_vms,
    sum(CASE WHEN power_state = 'on' THEN vcpu ELSE 0 END) AS vcpu_allocated,
    sum(CASE WHEN power_state = 'on' THEN memory_gb ELSE 0 END) AS memory_allocated_gb,
    sum(disk_gb) AS disk_allocated_gb
  FROM vms
  WHERE org = :tenant
  GROUP BY cluster
) v ON v.cluster = c.cluster
WHERE c.org = :tenant
