/**
 * The fixed vocabularies of the vm-inventory generator: datacenters, cluster purposes, host models,
 * guest operating systems, applications and people. All invented for this example; the weights give
 * the skew a real estate has (one big region, mostly Linux, a long tail of small applications).
 */

export interface DatacenterSpec {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly country: string;
  readonly city: string;
  readonly tier: string;
  readonly opened: string;
  /** Share of the VMs hosted here (relative). */
  readonly weight: number;
}

export const DATACENTERS: readonly DatacenterSpec[] = [
  {
    id: 'iad1',
    name: 'Ashburn 1',
    region: 'AMER',
    country: 'United States',
    city: 'Ashburn',
    tier: 'Tier IV',
    opened: '2014-03-01',
    weight: 30,
  },
  {
    id: 'fra1',
    name: 'Frankfurt 1',
    region: 'EMEA',
    country: 'Germany',
    city: 'Frankfurt',
    tier: 'Tier IV',
    opened: '2015-06-15',
    weight: 22,
  },
  {
    id: 'ams1',
    name: 'Amsterdam 1',
    region: 'EMEA',
    country: 'Netherlands',
    city: 'Amsterdam',
    tier: 'Tier III',
    opened: '2016-02-01',
    weight: 13,
  },
  {
    id: 'lon1',
    name: 'London 1',
    region: 'EMEA',
    country: 'United Kingdom',
    city: 'London',
    tier: 'Tier III',
    opened: '2017-09-01',
    weight: 12,
  },
  {
    id: 'sjc1',
    name: 'San Jose 1',
    region: 'AMER',
    country: 'United States',
    city: 'San Jose',
    tier: 'Tier III',
    opened: '2018-04-01',
    weight: 10,
  },
  {
    id: 'sin1',
    name: 'Singapore 1',
    region: 'APAC',
    country: 'Singapore',
    city: 'Singapore',
    tier: 'Tier III',
    opened: '2019-11-01',
    weight: 8,
  },
  {
    id: 'syd1',
    name: 'Sydney 1',
    region: 'APAC',
    country: 'Australia',
    city: 'Sydney',
    tier: 'Tier II',
    opened: '2022-05-01',
    weight: 5,
  },
];

export type Purpose = 'prod' | 'nonprod' | 'dmz' | 'vdi' | 'gpu';

export interface PurposeProfile {
  /** How often a cluster (after each datacenter's first prod and nonprod) has this purpose. */
  readonly clusterWeight: number;
  /** Relative number of VMs on a cluster of this purpose. */
  readonly size: number;
  readonly vcpu: readonly (readonly [number, number])[];
  /** GB of memory per vCPU. */
  readonly memoryPerVcpu: readonly (readonly [number, number])[];
  readonly power: readonly (readonly [PowerState, number])[];
  /** vCPUs allocated per physical core the capacity planners aim for. */
  readonly vcpuPerCore: number;
}

export type PowerState = 'on' | 'off' | 'suspended';

export const PURPOSES: Readonly<Record<Purpose, PurposeProfile>> = {
  prod: {
    clusterWeight: 45,
    size: 1.4,
    vcpu: [
      [1, 2],
      [2, 30],
      [4, 35],
      [8, 20],
      [16, 10],
      [32, 3],
    ],
    memoryPerVcpu: [
      [2, 25],
      [4, 55],
      [8, 20],
    ],
    power: [
      ['on', 90],
      ['off', 8],
      ['suspended', 2],
    ],
    vcpuPerCore: 3,
  },
  nonprod: {
    clusterWeight: 30,
    size: 1.0,
    vcpu: [
      [1, 15],
      [2, 40],
      [4, 30],
      [8, 12],
      [16, 3],
    ],
    memoryPerVcpu: [
      [2, 35],
      [4, 50],
      [8, 15],
    ],
    power: [
      ['on', 62],
      ['off', 30],
      ['suspended', 8],
    ],
    vcpuPerCore: 5,
  },
  dmz: {
    clusterWeight: 10,
    size: 0.4,
    vcpu: [
      [2, 50],
      [4, 40],
      [8, 10],
    ],
    memoryPerVcpu: [
      [2, 60],
      [4, 40],
    ],
    power: [
      ['on', 93],
      ['off', 6],
      ['suspended', 1],
    ],
    vcpuPerCore: 2.5,
  },
  vdi: {
    clusterWeight: 10,
    size: 1.2,
    vcpu: [
      [2, 40],
      [4, 55],
      [8, 5],
    ],
    memoryPerVcpu: [
      [2, 30],
      [4, 70],
    ],
    power: [
      ['on', 55],
      ['off', 40],
      ['suspended', 5],
    ],
    vcpuPerCore: 6,
  },
  gpu: {
    clusterWeight: 5,
    size: 0.25,
    vcpu: [
      [8, 30],
      [16, 40],
      [32, 25],
      [64, 5],
    ],
    memoryPerVcpu: [
      [8, 60],
      [16, 40],
    ],
    power: [
      ['on', 80],
      ['off', 18],
      ['suspended', 2],
    ],
    vcpuPerCore: 1.2,
  },
};

export const HYPERVISORS: readonly (readonly [string, number])[] = [
  ['ESXi 8.0 U2', 40],
  ['ESXi 7.0 U3', 50],
  ['ESXi 6.7 U3', 10],
];

export interface HostModel {
  readonly name: string;
  readonly cores: number;
}

export const HOST_MODELS: readonly (readonly [HostModel, number])[] = [
  [{ name: 'Dell PowerEdge R650', cores: 48 }, 20],
  [{ name: 'Dell PowerEdge R750', cores: 64 }, 25],
  [{ name: 'Dell PowerEdge R760', cores: 96 }, 10],
  [{ name: 'HPE ProLiant DL380 Gen10', cores: 40 }, 20],
  [{ name: 'HPE ProLiant DL380 Gen11', cores: 64 }, 10],
  [{ name: 'Lenovo ThinkSystem SR650 V2', cores: 56 }, 15],
];
export const GPU_HOST_MODEL: HostModel = { name: 'Dell PowerEdge XE8545', cores: 128 };
export const HOST_MEMORY_GB: readonly number[] = [256, 384, 512, 768, 1024, 1536, 2048];

export interface GuestOs {
  readonly name: string;
  readonly family: 'Linux' | 'Windows' | 'Other';
  /** Years in which new VMs were built with it (inclusive). */
  readonly from: number;
  readonly until: number;
  readonly weight: number;
}

export const SERVER_OSES: readonly GuestOs[] = [
  { name: 'Ubuntu 18.04 LTS', family: 'Linux', from: 2018, until: 2021, weight: 14 },
  { name: 'Ubuntu 20.04 LTS', family: 'Linux', from: 2020, until: 2023, weight: 18 },
  { name: 'Ubuntu 22.04 LTS', family: 'Linux', from: 2022, until: 2026, weight: 22 },
  { name: 'Ubuntu 24.04 LTS', family: 'Linux', from: 2024, until: 2026, weight: 12 },
  { name: 'RHEL 7', family: 'Linux', from: 2016, until: 2020, weight: 12 },
  { name: 'RHEL 8', family: 'Linux', from: 2019, until: 2024, weight: 14 },
  { name: 'RHEL 9', family: 'Linux', from: 2022, until: 2026, weight: 12 },
  { name: 'CentOS 7', family: 'Linux', from: 2016, until: 2021, weight: 14 },
  { name: 'Rocky Linux 9', family: 'Linux', from: 2022, until: 2026, weight: 6 },
  { name: 'Debian 11', family: 'Linux', from: 2021, until: 2023, weight: 5 },
  { name: 'Debian 12', family: 'Linux', from: 2023, until: 2026, weight: 6 },
  { name: 'SLES 15', family: 'Linux', from: 2018, until: 2026, weight: 3 },
  { name: 'Windows Server 2012 R2', family: 'Windows', from: 2016, until: 2018, weight: 8 },
  { name: 'Windows Server 2016', family: 'Windows', from: 2016, until: 2020, weight: 10 },
  { name: 'Windows Server 2019', family: 'Windows', from: 2019, until: 2023, weight: 12 },
  { name: 'Windows Server 2022', family: 'Windows', from: 2022, until: 2026, weight: 12 },
  { name: 'FreeBSD 13', family: 'Other', from: 2021, until: 2026, weight: 1 },
  { name: 'VMware Photon OS 4', family: 'Other', from: 2021, until: 2026, weight: 2 },
];

export const DESKTOP_OSES: readonly GuestOs[] = [
  { name: 'Windows 10', family: 'Windows', from: 2016, until: 2023, weight: 10 },
  { name: 'Windows 11', family: 'Windows', from: 2022, until: 2026, weight: 14 },
];

export const GPU_OSES: readonly GuestOs[] = [
  { name: 'Ubuntu 20.04 LTS', family: 'Linux', from: 2020, until: 2023, weight: 10 },
  { name: 'Ubuntu 22.04 LTS', family: 'Linux', from: 2022, until: 2026, weight: 20 },
  { name: 'RHEL 9', family: 'Linux', from: 2022, until: 2026, weight: 6 },
];

export const APPS: readonly string[] = [
  'billing',
  'payments',
  'checkout',
  'catalog',
  'search',
  'crm',
  'erp',
  'orders',
  'inventory',
  'pricing',
  'shipping',
  'cart',
  'auth',
  'sso',
  'vault',
  'ledger',
  'fraud',
  'risk',
  'treasury',
  'forecast',
  'analytics',
  'reporting',
  'warehouse',
  'etl',
  'kafka',
  'elastic',
  'grafana',
  'prometheus',
  'logging',
  'monitoring',
  'gitlab',
  'jenkins',
  'artifactory',
  'jira',
  'wiki',
  'intranet',
  'cms',
  'mail',
  'sftp',
  'edi',
  'ldap',
  'dns',
  'ntp',
  'radius',
  'vpn',
  'proxy',
  'api-gw',
  'mobile-bff',
  'notify',
  'scheduler',
  'customer',
  'loyalty',
  'survey',
  'docs',
  'signing',
  'archive',
  'audit',
  'compliance',
  'payroll',
  'timesheet',
  'expense',
  'procure',
  'contracts',
  'assets',
  'cmdb',
  'itsm',
  'status',
  'print',
  'license',
  'backup',
  'sap',
  'sharepoint',
  'exchange',
  'citrix',
  'geo',
  'maps',
  'recommend',
  'feature-store',
  'chat',
  'video',
];

export const SERVER_ROLES: readonly (readonly [string, number])[] = [
  ['app', 30],
  ['api', 20],
  ['web', 15],
  ['db', 12],
  ['worker', 10],
  ['cache', 5],
  ['batch', 5],
  ['mq', 3],
];

export const TEAMS: readonly string[] = [
  'platform',
  'payments',
  'commerce',
  'data',
  'identity',
  'observability',
  'devtools',
  'finance-it',
  'workplace',
  'network',
  'security',
  'storage',
  'customer',
  'logistics',
  'ml',
  'erp',
  'hr-it',
  'web',
  'mobile',
  'integration',
  'search',
  'risk',
  'marketing',
  'support',
  'research',
  'legal-it',
];

export const FIRST_NAMES: readonly string[] = [
  'anna',
  'ben',
  'carla',
  'david',
  'elena',
  'farid',
  'grace',
  'hugo',
  'ines',
  'jon',
  'kemal',
  'lena',
  'marco',
  'nina',
  'omar',
  'paula',
  'quinn',
  'rosa',
  'sven',
  'tara',
  'umar',
  'vera',
  'wei',
  'yusuf',
  'zoe',
];

export const LAST_NAMES: readonly string[] = [
  'adams',
  'becker',
  'costa',
  'dubois',
  'evans',
  'fischer',
  'garcia',
  'hansen',
  'ito',
  'jansen',
  'kowalski',
  'lopez',
  'meyer',
  'nakamura',
  'olsen',
  'patel',
  'quist',
  'rossi',
  'schmidt',
  'tanaka',
  'ueda',
  'varga',
  'weber',
  'xu',
  'young',
  'zimmer',
];

export const BACKUP_TIERS = ['gold', 'silver', 'bronze', 'none'] as const;
export const PATCH_WAVES = ['wave-1', 'wave-2', 'wave-3', 'wave-4'] as const;
