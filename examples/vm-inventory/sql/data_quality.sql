-- One row per VM with a 0/1 flag per data-quality rule, so measures are plain sums and averages:
--   missing_owner   no `owner` label
--   duplicate_name  another VM has the same name (clones, DR copies nobody renamed)
--   unknown_os      the guest OS is not reported (VMware Tools not running)
--   stale           not seen by the collector for more than a day
-- "Now" is the newest snapshot in the data (the last collector run), not the clock, so the checks
-- mean the same on a generated file and on a live server. Portable: INTERVAL 'n' UNIT arithmetic
-- and CASE only (no date_diff, no FILTER), on DuckDB, PostgreSQL and MySQL alike.
-- Every read of vms is scoped by :tenant (bound from the session): duplicates and the snapshot time
-- are the signed-in organisation's own, so nothing here depends on another organisation's VMs.
SELECT
  q.*,
  q.missing_owner + q.duplicate_name + q.unknown_os + q.stale AS issues
FROM (
  SELECT
    v.org,
    v.vm_id,
    v.name,
    v.datacenter,
    v.cluster,
    v.power_state,
    v.guest_os,
    v.last_seen_at,
    o.owner,
    CASE WHEN o.owner IS NULL THEN 1 ELSE 0 END AS missing_owner,
    CASE WHEN d.copies > 1 THEN 1 ELSE 0 END AS duplicate_name,
    CASE WHEN v.guest_os IS NULL THEN 1 ELSE 0 END AS unknown_os,
    CASE WHEN v.last_seen_at < s.snapshot_at - INTERVAL '1' DAY THEN 1 ELSE 0 END AS stale,
    -- Numbered so that the bands sort in age order.
    CASE
      WHEN v.last_seen_at >= s.snapshot_at - INTERVAL '6' HOUR THEN '1. under 6 hours'
      WHEN v.last_seen_at >= s.snapshot_at - INTERVAL '1' DAY THEN '2. 6 to 24 hours'
      WHEN v.last_seen_at >= s.snapshot_at - INTERVAL '7' DAY THEN '3. 1 to 7 days'
      ELSE '4. over 7 days'
    END AS snapshot_age
  FROM vms v
  CROSS JOIN (SELECT max(last_seen_at) AS snapshot_at FROM vms WHERE org = :tenant) s
  JOIN (SELECT name, count(*) AS copies FROM vms WHERE org = :tenant GROUP BY name) d ON d.name = v.name
  LEFT JOIN (
    SELECT vl.vm_id, max(l.label_value) AS owner
    FROM vm_labels vl
    JOIN labels l ON l.label_id = vl.label_id
    WHERE l.label_key = 'owner'
    GROUP BY vl.vm_id
  ) o ON o.vm_id = v.vm_id
  WHERE v.org = :tenant
) q
