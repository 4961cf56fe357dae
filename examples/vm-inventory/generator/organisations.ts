/**
 * The demo's two organisations (tenants): two hosting companies sharing one inventory database, each
 * owning whole datacenters. Demo mode creates them with these slugs; every datacenter, cluster, host
 * and VM row carries its owner in `org`, so each organisation's users see only their own estate.
 */
export const VM_INVENTORY_ORGANISATIONS = [
  { slug: 'acme', name: 'Acme Cloud' },
  { slug: 'globex', name: 'Globex Hosting' },
] as const;

/** By datacenter weight this gives Acme about 58% of the VMs and Globex 42%. */
const OWNERS: Readonly<Record<string, (typeof VM_INVENTORY_ORGANISATIONS)[number]['slug']>> = {
  iad1: 'acme',
  ams1: 'acme',
  sjc1: 'acme',
  syd1: 'acme',
  fra1: 'globex',
  lon1: 'globex',
  sin1: 'globex',
};

export function ownerOfDatacenter(datacenter: string): string {
  const owner = OWNERS[datacenter];
  if (!owner) throw new Error(`datacenter ${datacenter} has no owning organisation`);
  return owner;
}
