import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CtgovStudy, StudyTables } from './ctgov-study.js';
import { mapStudy, parseCtgovDate } from './ctgov-study.js';

/** Unwraps a successful mapping; a problem here is a test failure with the problem as message. */
function tablesOf(study: unknown): StudyTables {
  const result = mapStudy(study);
  if (!result.ok) throw new Error(`expected rows, got problem: ${result.problem.message}`);
  return result.tables;
}

function studyRowOf(study: unknown) {
  const row = tablesOf(study).studies[0];
  if (row === undefined) throw new Error('no studies row');
  return row;
}

const FULL: CtgovStudy = {
  protocolSection: {
    identificationModule: {
      nctId: 'NCT01234567',
      briefTitle: 'A Study of Examplumab in Adults With Type 2 Diabetes',
      officialTitle: 'A Phase 1/2 Study of Examplumab',
    },
    statusModule: {
      overallStatus: 'COMPLETED',
      startDateStruct: { date: '2019-03', type: 'ACTUAL' },
      primaryCompletionDateStruct: { date: '2021-06-15', type: 'ACTUAL' },
      completionDateStruct: { date: '2021-12', type: 'ACTUAL' },
      studyFirstSubmitDate: '2019-01-10',
      lastUpdateSubmitDate: '2022-01-03',
      lastUpdatePostDateStruct: { date: '2022-01-05', type: 'ACTUAL' },
    },
    sponsorCollaboratorsModule: {
      leadSponsor: { name: 'Example Pharma', class: 'INDUSTRY' },
      collaborators: [{ name: 'Example University', class: 'OTHER' }],
    },
    descriptionModule: { briefSummary: 'Tests examplumab.' },
    conditionsModule: { conditions: ['Type 2 Diabetes', 'Obesity'] },
    designModule: {
      studyType: 'INTERVENTIONAL',
      phases: ['PHASE1', 'PHASE2'],
      designInfo: {
        allocation: 'RANDOMIZED',
        interventionModel: 'PARALLEL',
        primaryPurpose: 'TREATMENT',
        maskingInfo: { masking: 'DOUBLE', whoMasked: ['PARTICIPANT', 'INVESTIGATOR'] },
      },
      enrollmentInfo: { count: 120, type: 'ACTUAL' },
    },
    armsInterventionsModule: {
      interventions: [
        { type: 'DRUG', name: 'Examplumab' },
        { type: 'DRUG', name: 'Placebo' },
      ],
    },
    outcomesModule: {
      primaryOutcomes: [{ measure: 'Change in HbA1c', timeFrame: 'Week 24' }],
      secondaryOutcomes: [{ measure: 'Body weight' }, { measure: 'Adverse events', timeFrame: 'Week 52' }],
      otherOutcomes: [{ measure: 'Quality of life', timeFrame: 'Week 52' }],
    },
    eligibilityModule: { sex: 'ALL', minimumAge: '18 Years', healthyVolunteers: false },
    contactsLocationsModule: {
      locations: [
        {
          facility: 'General Hospital',
          city: 'Lyon',
          country: 'France',
          status: 'RECRUITING',
          geoPoint: { lat: 45.76, lon: 4.84 },
        },
        { city: 'Nowhere' },
      ],
    },
  },
  hasResults: true,
};

describe('parseCtgovDate', () => {
  it('reads YYYY-MM-DD with day precision', () => {
    expect(parseCtgovDate('2021-06-15')).toEqual({ date: '2021-06-15', precision: 'day' });
  });
  it('pins YYYY-MM to the first of the month with month precision', () => {
    expect(parseCtgovDate('2019-03')).toEqual({ date: '2019-03-01', precision: 'month' });
  });
  it('returns null for anything else instead of guessing', () => {
    for (const bad of [
      '2019',
      '2019-13',
      '2023-02-30',
      '2023-02-29',
      '19-03-01',
      '',
      'soon',
      2019,
      null,
      undefined,
      {},
    ]) {
      expect(parseCtgovDate(bad)).toBeNull();
    }
    expect(parseCtgovDate('2024-02-29')).toEqual({ date: '2024-02-29', precision: 'day' });
  });
});

describe('mapStudy on hand-written records', () => {
  it('maps a full record to all six tables', () => {
    const t = tablesOf(FULL);
    const s = studyRowOf(FULL);
    expect(s).toMatchObject({
      nct_id: 'NCT01234567',
      overall_status: 'COMPLETED',
      phase: 'PHASE1/PHASE2',
      study_type: 'INTERVENTIONAL',
      lead_sponsor: 'Example Pharma',
      sponsor_class: 'INDUSTRY',
      start_date: '2019-03-01',
      start_date_precision: 'month',
      primary_completion_date: '2021-06-15',
      primary_completion_type: 'ACTUAL',
      completion_date: '2021-12-01',
      completion_type: 'ACTUAL',
      first_submitted: '2019-01-10',
      last_updated: '2022-01-05',
      enrollment: 120,
      enrollment_type: 'ACTUAL',
      has_results: true,
      allocation: 'RANDOMIZED',
      intervention_model: 'PARALLEL',
      primary_purpose: 'TREATMENT',
      masking: 'DOUBLE',
      sex: 'ALL',
      minimum_age: '18 Years',
      healthy_volunteers: false,
      condition_count: 2,
      intervention_count: 2,
      location_count: 2,
    });
    expect(t.conditions.map((c) => c.condition)).toEqual(['Type 2 Diabetes', 'Obesity']);
    expect(t.sponsors).toEqual([
      { nct_id: 'NCT01234567', name: 'Example Pharma', role: 'LEAD', sponsor_class: 'INDUSTRY' },
      { nct_id: 'NCT01234567', name: 'Example University', role: 'COLLABORATOR', sponsor_class: 'OTHER' },
    ]);
    expect(t.outcomes.map((o) => o.outcome_type)).toEqual(['PRIMARY', 'SECONDARY', 'SECONDARY', 'OTHER']);
    expect(t.outcomes[1]?.time_frame).toBeNull();
    expect(t.locations[0]).toMatchObject({
      city: 'Lyon',
      latitude: 45.76,
      longitude: 4.84,
      status: 'RECRUITING',
    });
    expect(t.locations[1]).toMatchObject({ facility: null, city: 'Nowhere', country: null, latitude: null });
  });

  it('maps a record that only has an identification module', () => {
    const t = tablesOf({ protocolSection: { identificationModule: { nctId: 'NCT00000001' } } });
    expect(t.studies).toHaveLength(1);
    expect(t.studies[0]).toMatchObject({
      nct_id: 'NCT00000001',
      brief_title: null,
      overall_status: null,
      phase: null,
      start_date: null,
      start_date_precision: null,
      enrollment: null,
      has_results: null,
      condition_count: 0,
      intervention_count: 0,
      location_count: 0,
    });
    expect(t.conditions).toEqual([]);
    expect(t.sponsors).toEqual([]);
    expect(t.locations).toEqual([]);
    expect(t.outcomes).toEqual([]);
  });

  it('keeps enrollment 0 as 0 (withdrawn studies) and absent enrollment as null', () => {
    const withdrawn = {
      protocolSection: {
        identificationModule: { nctId: 'NCT00000002' },
        statusModule: { overallStatus: 'WITHDRAWN' },
        designModule: { studyType: 'INTERVENTIONAL', enrollmentInfo: { count: 0, type: 'ACTUAL' } },
      },
    };
    expect(studyRowOf(withdrawn).enrollment).toBe(0);
    expect(studyRowOf(withdrawn).enrollment_type).toBe('ACTUAL');
    const noCount = {
      protocolSection: {
        identificationModule: { nctId: 'NCT00000003' },
        designModule: { enrollmentInfo: { type: 'ESTIMATED' } },
      },
    };
    expect(studyRowOf(noCount).enrollment).toBeNull();
    const negative = {
      protocolSection: {
        identificationModule: { nctId: 'NCT00000004' },
        designModule: { enrollmentInfo: { count: -5 } },
      },
    };
    expect(studyRowOf(negative).enrollment).toBeNull();
  });

  it('joins phases with "/" and leaves observational studies without a phase', () => {
    const phased = (phases: unknown) => ({
      protocolSection: { identificationModule: { nctId: 'NCT00000005' }, designModule: { phases } },
    });
    expect(studyRowOf(phased(['PHASE2', 'PHASE3'])).phase).toBe('PHASE2/PHASE3');
    expect(studyRowOf(phased(['NA'])).phase).toBe('NA');
    expect(studyRowOf(phased([])).phase).toBeNull();
    expect(studyRowOf(phased('PHASE2')).phase).toBeNull();
  });

  it('handles date structs without a type and with invalid dates (old records)', () => {
    const s = studyRowOf({
      protocolSection: {
        identificationModule: { nctId: 'NCT00000006' },
        statusModule: {
          startDateStruct: { date: '2008-11' },
          primaryCompletionDateStruct: { date: '2010' },
          completionDateStruct: 'not a struct',
          lastUpdateSubmitDate: '2012-04-30',
        },
      },
    });
    expect(s.start_date).toBe('2008-11-01');
    expect(s.start_date_precision).toBe('month');
    expect(s.primary_completion_date).toBeNull();
    expect(s.primary_completion_type).toBeNull();
    expect(s.completion_date).toBeNull();
    // Falls back to the submit date when the post-date struct is missing.
    expect(s.last_updated).toBe('2012-04-30');
  });

  it('derives has_results from resultsSection when hasResults is absent', () => {
    const s = studyRowOf({
      protocolSection: { identificationModule: { nctId: 'NCT00000007' } },
      resultsSection: {},
    });
    expect(s.has_results).toBe(true);
  });

  it('counts sponsors as lead + collaborators, with missing names kept as null', () => {
    const t = tablesOf({
      protocolSection: {
        identificationModule: { nctId: 'NCT00000008' },
        sponsorCollaboratorsModule: {
          leadSponsor: { class: 'OTHER' },
          collaborators: [{ name: 'A' }, 'junk'],
        },
      },
    });
    expect(t.sponsors.map((x) => [x.role, x.name, x.sponsor_class])).toEqual([
      ['LEAD', null, 'OTHER'],
      ['COLLABORATOR', 'A', null],
      ['COLLABORATOR', null, null],
    ]);
    expect(t.studies[0]?.lead_sponsor).toBeNull();
  });

  it('maps 1,500 locations and drops out-of-range coordinates', () => {
    const locations = Array.from({ length: 1500 }, (_, i) => ({
      facility: `Site ${i}`,
      city: 'X',
      country: 'Y',
      geoPoint: { lat: i === 0 ? 123 : 10, lon: 20 },
    }));
    const t = tablesOf({
      protocolSection: {
        identificationModule: { nctId: 'NCT00000009' },
        contactsLocationsModule: { locations },
      },
    });
    expect(t.locations).toHaveLength(1500);
    expect(t.studies[0]?.location_count).toBe(1500);
    expect(t.locations[0]?.latitude).toBeNull();
    expect(t.locations[1]?.latitude).toBe(10);
  });

  it('returns a typed problem, not rows, when there is no nctId', () => {
    const r = mapStudy({ protocolSection: { identificationModule: { briefTitle: 'Untitled' } } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.code).toBe('missing_nct_id');
      expect(r.problem.briefTitle).toBe('Untitled');
    }
    for (const junk of [
      null,
      undefined,
      42,
      'NCT1',
      [],
      { protocolSection: null },
      { protocolSection: { identificationModule: { nctId: '  ' } } },
    ]) {
      expect(() => mapStudy(junk)).not.toThrow();
      expect(mapStudy(junk).ok).toBe(false);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Every recorded real API record in the shared folder (outside the repo; never copied in).
// ---------------------------------------------------------------------------------------------

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CTGOV_DIR = path.resolve(REPO_ROOT, '../shared/data/ctgov');
const HAVE_REAL_DATA = existsSync(CTGOV_DIR);

if (!HAVE_REAL_DATA) {
  console.warn(
    `!!! SKIPPED: mapStudy tests against real ClinicalTrials.gov records — folder ${CTGOV_DIR} does not exist (it is shared test data, not part of the repo) !!!`,
  );
}

interface RealRecord {
  file: string;
  index: number;
  study: unknown;
}

function loadRealRecords(): RealRecord[] {
  const files = [
    ...readdirSync(CTGOV_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => path.join(CTGOV_DIR, f)),
    ...(existsSync(path.join(CTGOV_DIR, 'partial'))
      ? readdirSync(path.join(CTGOV_DIR, 'partial'))
          .filter((f) => f.endsWith('.json'))
          .map((f) => path.join(CTGOV_DIR, 'partial', f))
      : []),
  ].sort();
  const records: RealRecord[] = [];
  for (const file of files) {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!Array.isArray(parsed)) throw new Error(`${file}: expected a JSON array of studies`);
    parsed.forEach((study: unknown, index) =>
      records.push({ file: path.relative(CTGOV_DIR, file), index, study }),
    );
  }
  return records;
}

/** Independent (deliberately naive) reads of the raw record, to compare the mapper against. */
function rawLength(v: unknown, ...keys: string[]): number {
  let cur: unknown = v;
  for (const k of keys) {
    if (typeof cur !== 'object' || cur === null) return 0;
    cur = (cur as Record<string, unknown>)[k];
  }
  return Array.isArray(cur) ? cur.length : 0;
}

function rawNctId(v: unknown): string | undefined {
  const p = (v as { protocolSection?: { identificationModule?: { nctId?: unknown } } } | null)
    ?.protocolSection;
  const id = p?.identificationModule?.nctId;
  return typeof id === 'string' && id.trim() !== '' ? id : undefined;
}

describe.skipIf(!HAVE_REAL_DATA)('mapStudy on every recorded real API record', () => {
  const records = HAVE_REAL_DATA ? loadRealRecords() : [];

  it('found the recorded files', () => {
    expect(records.length).toBeGreaterThan(500);
  });

  it('never throws, and maps every record with an nctId to one studies row with matching child counts', () => {
    let mapped = 0;
    for (const { file, index, study } of records) {
      const where = `${file}[${index}]`;
      const result = mapStudy(study);
      const id = rawNctId(study);
      if (id === undefined) {
        expect(result.ok, where).toBe(false);
        continue;
      }
      expect(result.ok, where).toBe(true);
      if (!result.ok) continue;
      mapped++;
      const t = result.tables;
      expect(t.studies, where).toHaveLength(1);
      expect(t.studies[0]?.nct_id, where).toBe(id);
      const p = ['protocolSection'];
      expect(t.conditions.length, where).toBe(rawLength(study, ...p, 'conditionsModule', 'conditions'));
      expect(t.interventions.length, where).toBe(
        rawLength(study, ...p, 'armsInterventionsModule', 'interventions'),
      );
      expect(t.locations.length, where).toBe(rawLength(study, ...p, 'contactsLocationsModule', 'locations'));
      expect(t.outcomes.length, where).toBe(
        rawLength(study, ...p, 'outcomesModule', 'primaryOutcomes') +
          rawLength(study, ...p, 'outcomesModule', 'secondaryOutcomes') +
          rawLength(study, ...p, 'outcomesModule', 'otherOutcomes'),
      );
      const hasLead =
        typeof (study as { protocolSection?: { sponsorCollaboratorsModule?: { leadSponsor?: unknown } } })
          .protocolSection?.sponsorCollaboratorsModule?.leadSponsor === 'object';
      expect(t.sponsors.length, where).toBe(
        (hasLead ? 1 : 0) + rawLength(study, ...p, 'sponsorCollaboratorsModule', 'collaborators'),
      );
      const s = t.studies[0];
      expect(s?.condition_count, where).toBe(t.conditions.length);
      expect(s?.location_count, where).toBe(t.locations.length);
      expect(s?.intervention_count, where).toBe(t.interventions.length);
      for (const child of [t.conditions, t.interventions, t.sponsors, t.locations, t.outcomes]) {
        for (const row of child) expect(row.nct_id, where).toBe(id);
      }
      // A record that has a start date in either real format must keep it.
      if (s?.start_date !== null && s?.start_date !== undefined) {
        expect(s.start_date, where).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(['month', 'day'], where).toContain(s.start_date_precision);
      }
    }
    expect(mapped).toBeGreaterThan(500);
  });

  it('maps the 1,000+ locations of NCT04267848', () => {
    const big = records.find((r) => rawNctId(r.study) === 'NCT04267848');
    expect(big, 'NCT04267848 is in the shared data').toBeDefined();
    const t = tablesOf(big?.study);
    const expected = rawLength(big?.study, 'protocolSection', 'contactsLocationsModule', 'locations');
    expect(expected).toBeGreaterThan(1000);
    expect(t.locations).toHaveLength(expected);
    expect(t.studies[0]?.location_count).toBe(expected);
    expect(t.locations.filter((l) => l.latitude !== null).length).toBeGreaterThan(0);
  });

  it('reads both real date formats (YYYY-MM and YYYY-MM-DD)', () => {
    const precisions = new Set<string | null>();
    for (const { study } of records) {
      const r = mapStudy(study);
      if (r.ok) precisions.add(r.tables.studies[0]?.start_date_precision ?? null);
    }
    expect(precisions).toContain('month');
    expect(precisions).toContain('day');
  });
});
