/**
 * Deterministic candidate profiles for the sourcing example and its tests: the same seed gives the
 * same candidates on every machine. Each has a heavy `raw` JSON column (the profile as a people API
 * returns it) that dashboards never load. One in 97 is marked "(unscorable)": the scoring stand-in
 * refuses it with a 422, so every run has rows that fail for a reason that retrying cannot change.
 */
export interface Candidate {
  readonly id: string;
  readonly name: string;
  readonly headline: string;
  readonly role: string;
  readonly location: string;
  readonly years: number;
  readonly skills: string;
  readonly raw: string;
}

export const ROLES = [
  'Backend engineer',
  'Data engineer',
  'Frontend engineer',
  'SRE',
  'ML engineer',
  'Product designer',
];
export const LOCATIONS = ['Berlin', 'Lisbon', 'Warsaw', 'Amsterdam', 'Remote (EU)', 'London', 'Paris'];
const SKILLS = [
  'Go',
  'TypeScript',
  'Python',
  'Kubernetes',
  'PostgreSQL',
  'React',
  'Rust',
  'Spark',
  'Terraform',
  'Figma',
];
const FIRST = [
  'Ana',
  'Ben',
  'Chiara',
  'Dawid',
  'Eva',
  'Farid',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Kasia',
  'Luca',
];
const LAST = ['Silva', 'Nowak', 'Rossi', 'Meyer', 'Dubois', 'Jansen', 'Kowalski', 'Smith', 'Costa', 'Novak'];

/** mulberry32: small, fast, good enough for test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCandidates(count: number, seed = 2026): Candidate[] {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const out: Candidate[] = [];
  for (let i = 1; i <= count; i++) {
    const role = pick(ROLES);
    const location = pick(LOCATIONS);
    const years = Math.floor(random() * 20);
    const skills = [...new Set([pick(SKILLS), pick(SKILLS), pick(SKILLS)])].join(', ');
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    const unscorable = i % 97 === 0;
    const headline = `${role}, ${years} years · ${skills}${unscorable ? ' (unscorable)' : ''}`;
    const id = `c${String(i).padStart(6, '0')}`;
    const raw = JSON.stringify({
      id,
      name,
      headline,
      location,
      positions: Array.from({ length: 3 }, (_, k) => ({
        title: role,
        company: `Company ${(i * 7 + k) % 500}`,
        years: k + 1,
      })),
      about: 'Lorem ipsum '.repeat(40),
    });
    out.push({ id, name, headline, role, location, years, skills, raw });
  }
  return out;
}
