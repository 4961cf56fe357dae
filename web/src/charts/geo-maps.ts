/* eslint-disable no-restricted-imports -- the lint rule's `echarts` pattern also matches echarts/core (see echarts-runtime.ts). */
import type * as EChartsCore from 'echarts/core';
/* eslint-enable no-restricted-imports */
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { RegionLookup } from './chart-types.js';

/**
 * The bundled outlines for `map` widgets: world countries (world-atlas, Natural Earth 1:110m) and US
 * states (us-atlas, 1:10m), as TopoJSON in this lazily loaded chunk — no tiles, nothing fetched from
 * the internet. Loaded on the first map widget only; each map is registered with ECharts once.
 */
export type BundledMap = 'world' | 'us_states';

/** Common names in data that differ from Natural Earth's short names (ClinicalTrials.gov, ISO). */
const WORLD_ALIASES: Readonly<Record<string, string>> = {
  'united states': 'United States of America',
  usa: 'United States of America',
  us: 'United States of America',
  'korea, republic of': 'South Korea',
  'republic of korea': 'South Korea',
  "korea, democratic people's republic of": 'North Korea',
  'iran, islamic republic of': 'Iran',
  'russian federation': 'Russia',
  'czech republic': 'Czechia',
  'viet nam': 'Vietnam',
  'tanzania, united republic of': 'Tanzania',
  'syrian arab republic': 'Syria',
  'moldova, republic of': 'Moldova',
  "lao people's democratic republic": 'Laos',
  'bolivia, plurinational state of': 'Bolivia',
  'venezuela, bolivarian republic of': 'Venezuela',
  'congo, the democratic republic of the': 'Dem. Rep. Congo',
  'democratic republic of the congo': 'Dem. Rep. Congo',
  'dominican republic': 'Dominican Rep.',
  'bosnia and herzegovina': 'Bosnia and Herz.',
  "cote d'ivoire": "Côte d'Ivoire",
  'ivory coast': "Côte d'Ivoire",
  'central african republic': 'Central African Rep.',
  'south sudan': 'S. Sudan',
  'equatorial guinea': 'Eq. Guinea',
  'north macedonia': 'Macedonia',
  'united kingdom of great britain and northern ireland': 'United Kingdom',
  uk: 'United Kingdom',
};

const registered = new Map<BundledMap, RegionLookup>();

type Echarts = typeof EChartsCore;

export async function registerBundledMap(echarts: Echarts, map: BundledMap): Promise<RegionLookup> {
  const known = registered.get(map);
  if (known) return known;
  const topology = (map === 'world'
    ? await import('world-atlas/countries-110m.json')
    : await import('us-atlas/states-10m.json')
  ).default as unknown as Topology;
  const object = topology.objects[map === 'world' ? 'countries' : 'states'] as GeometryCollection<{
    name: string;
  }>;
  const geo = feature(topology, object);
  const byKey = new Map<string, string>();
  for (const f of geo.features) {
    const name = f.properties?.name;
    if (!name) continue;
    byKey.set(name.toLowerCase(), name);
    // Codes too: ISO 3166-1 numeric for countries ("276", "004"), FIPS for states ("06").
    if (f.id !== undefined) {
      byKey.set(String(f.id), name);
      byKey.set(String(Number(f.id)), name);
    }
  }
  if (map === 'world') for (const [alias, name] of Object.entries(WORLD_ALIASES)) byKey.set(alias, name);
  const mapName = `trellis-${map}`;
  echarts.registerMap(mapName, geo as unknown as Parameters<Echarts['registerMap']>[1]);
  const lookup: RegionLookup = {
    mapName,
    regionOf: (value) => byKey.get(value) ?? byKey.get(value.trim().toLowerCase()),
  };
  registered.set(map, lookup);
  return lookup;
}
