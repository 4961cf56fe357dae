-- One row per (VM, label): the many-to-many link resolved to key and value, with the VM's
-- placement so that the dashboards' datacenter and power-state filters apply here too.
-- Only the signed-in organisation's VMs (:tenant is bound from the session).
SELECT
  v.org,
  l.label_key,
  l.label_value,
  v.vm_id,
  v.name,
  v.datacenter,
  v.cluster,
  v.power_state
FROM vm_labels vl
JOIN labels l ON l.label_id = vl.label_id
JOIN vms v ON v.vm_id = vl.vm_id
WHERE v.org = :tenant
