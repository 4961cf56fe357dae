/**
 * Labels (key → value, many-to-many with VMs) the way teams actually tag VMs: most carry `owner`,
 * `team`, `env` and `app`, fewer carry `cost_center`, `backup` or `patch_group`, and `pci` only
 * where it applies. The gaps are the point: "VMs missing an owner label" is a data-quality metric,
 * and it is worst on the non-production clusters, as it tends to be.
 */
import type { LabelRow, VmLabelRow } from './inventory-tables.js';
import type { Rng } from './rng.js';
import { BACKUP_TIERS, FIRST_NAMES, LAST_NAMES, PATCH_WAVES, TEAMS, type Purpose } from './vocabulary.js';

/** Probability that a VM on a cluster of each purpose has an owner label. */
const OWNER_RATE: Readonly<Record<Purpose, number>> = {
  prod: 0.94,
  dmz: 0.92,
  gpu: 0.9,
  vdi: 0.86,
  nonprod: 0.76,
};

export interface VmLabelContext {
  readonly vmId: string;
  readonly purpose: Purpose;
  readonly app: string;
  readonly team: string;
}

/** The label dictionary (one id per distinct key/value, in order of first use) and the links. */
export class LabelBuilder {
  readonly labels: LabelRow[] = [];
  readonly links: VmLabelRow[] = [];
  private readonly ids = new Map<string, number>();
  private readonly owners: ReadonlyMap<string, readonly string[]>;
  private readonly costCenters: ReadonlyMap<string, string>;

  constructor(private readonly rng: Rng) {
    // Each team has 4–18 people; names are unique across teams (a suffix settles the rare clash).
    const taken = new Set<string>();
    const owners = new Map<string, string[]>();
    const costCenters = new Map<string, string>();
    TEAMS.forEach((team, i) => {
      const people: string[] = [];
      const n = rng.int(4, 18);
      for (let k = 0; k < n; k++) {
        const base = `${rng.pick(FIRST_NAMES).charAt(0)}.${rng.pick(LAST_NAMES)}`;
        let user = base;
        for (let suffix = 2; taken.has(user); suffix++) user = `${base}${suffix}`;
        taken.add(user);
        people.push(user);
      }
      owners.set(team, people);
      costCenters.set(team, `CC-${1000 + i * 37}`);
    });
    this.owners = owners;
    this.costCenters = costCenters;
  }

  /** Adds the labels of one VM; keys are added in a fixed order so runs are reproducible. */
  addVm(vm: VmLabelContext): void {
    const { rng } = this;
    const prodLike = vm.purpose === 'prod' || vm.purpose === 'dmz';
    if (rng.chance(OWNER_RATE[vm.purpose])) {
      const people = this.owners.get(vm.team) ?? [];
      if (people.length) this.link(vm.vmId, 'owner', rng.skewed(people, 0.8));
    }
    if (rng.chance(0.93)) this.link(vm.vmId, 'team', vm.team);
    if (rng.chance(0.97)) this.link(vm.vmId, 'env', this.env(vm.purpose));
    if (rng.chance(0.95)) this.link(vm.vmId, 'app', vm.app);
    if (rng.chance(0.82)) {
      // Mostly the team's own cost center; some VMs are charged to another team's.
      const own = this.costCenters.get(vm.team) ?? 'CC-0000';
      this.link(
        vm.vmId,
        'cost_center',
        rng.chance(0.9) ? own : `CC-${1000 + rng.int(0, TEAMS.length - 1) * 37}`,
      );
    }
    if (prodLike && rng.chance(0.9))
      this.link(
        vm.vmId,
        'backup',
        rng.choose([
          [BACKUP_TIERS[0], 30],
          [BACKUP_TIERS[1], 45],
          [BACKUP_TIERS[2], 20],
          [BACKUP_TIERS[3], 5],
        ]),
      );
    else if (vm.purpose === 'nonprod' && rng.chance(0.6))
      this.link(vm.vmId, 'backup', rng.chance(0.4) ? BACKUP_TIERS[2] : BACKUP_TIERS[3]);
    if (vm.team === 'payments' && prodLike && rng.chance(0.9)) this.link(vm.vmId, 'pci', 'in-scope');
    if (vm.purpose !== 'vdi' && rng.chance(0.72)) this.link(vm.vmId, 'patch_group', rng.pick(PATCH_WAVES));
  }

  private env(purpose: Purpose): string {
    switch (purpose) {
      case 'prod':
      case 'dmz':
      case 'vdi':
        return 'production';
      case 'gpu':
        return this.rng.chance(0.5) ? 'production' : 'research';
      case 'nonprod':
        return this.rng.choose([
          ['dev', 45],
          ['test', 35],
          ['staging', 20],
        ]);
    }
  }

  private link(vmId: string, key: string, value: string): void {
    const k = `${key}\u0000${value}`;
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.labels.length + 1;
      this.ids.set(k, id);
      this.labels.push({ label_id: id, label_key: key, label_value: value });
    }
    this.links.push({ vm_id: vmId, label_id: id });
  }
}
