/**
 * ClinicalTrials.gov API v2 study object → rows of the six `clinical-trials` tables.
 *
 * This is the transform both the offline generator and the future ingestion pipeline use, so it
 * maps the real `/api/v2/studies` shape (checked against recorded responses), not a convenient
 * invented one. It is pure and total: any JSON value goes in, and either rows or a typed problem
 * come out. Records from `fields=`-filtered requests miss whole modules, older records have
 * `YYYY-MM` dates and untyped date structs, and some have more than 1,000 locations, so every
 * field is read defensively instead of trusting the declared types below.
 */

// ---------------------------------------------------------------------------------------------
// Value sets of the API (exported so generators and tests check against one list)
// ---------------------------------------------------------------------------------------------

/** `statusModule.overallStatus`; the last five only occur on expanded-access records. */
export const OVERALL_STATUSES = [
  'ACTIVE_NOT_RECRUITING',
  'COMPLETED',
  'ENROLLING_BY_INVITATION',
  'NOT_YET_RECRUITING',
  'RECRUITING',
  'SUSPENDED',
  'TERMINATED',
  'WITHDRAWN',
  'UNKNOWN',
  'AVAILABLE',
  'NO_LONGER_AVAILABLE',
  'TEMPORARILY_NOT_AVAILABLE',
  'APPROVED_FOR_MARKETING',
  'WITHHELD',
] as const;
export type CtgovOverallStatus = (typeof OVERALL_STATUSES)[number];

export const PHASES = ['EARLY_PHASE1', 'PHASE1', 'PHASE2', 'PHASE3', 'PHASE4', 'NA'] as const;
export type CtgovPhase = (typeof PHASES)[number];

export const STUDY_TYPES = ['INTERVENTIONAL', 'OBSERVATIONAL', 'EXPANDED_ACCESS'] as const;
export type CtgovStudyType = (typeof STUDY_TYPES)[number];

/** Sponsor / organisation class (`AgencyClass` in the API). */
export const AGENCY_CLASSES = [
  'INDUSTRY',
  'NIH',
  'FED',
  'OTHER_GOV',
  'INDIV',
  'NETWORK',
  'OTHER',
  'AMBIG',
  'UNKNOWN',
] as const;
export type CtgovAgencyClass = (typeof AGENCY_CLASSES)[number];

export const INTERVENTION_TYPES = [
  'DRUG',
  'BIOLOGICAL',
  'DEVICE',
  'PROCEDURE',
  'RADIATION',
  'BEHAVIORAL',
  'GENETIC',
  'DIETARY_SUPPLEMENT',
  'COMBINATION_PRODUCT',
  'DIAGNOSTIC_TEST',
  'OTHER',
] as const;
export type CtgovInterventionType = (typeof INTERVENTION_TYPES)[number];

export const DATE_TYPES = ['ACTUAL', 'ESTIMATED'] as const;
export type CtgovDateType = (typeof DATE_TYPES)[number];

/** Per-site `locations[].status` (a recruitment status; only recruiting studies carry it). */
export const LOCATION_STATUSES = [
  'ACTIVE_NOT_RECRUITING',
  'COMPLETED',
  'ENROLLING_BY_INVITATION',
  'NOT_YET_RECRUITING',
  'RECRUITING',
  'SUSPENDED',
  'TERMINATED',
  'WITHDRAWN',
  'AVAILABLE',
] as const;
export type CtgovLocationStatus = (typeof LOCATION_STATUSES)[number];

export const ALLOCATIONS = ['RANDOMIZED', 'NON_RANDOMIZED', 'NA'] as const;
export const INTERVENTION_MODELS = [
  'SINGLE_GROUP',
  'PARALLEL',
  'CROSSOVER',
  'FACTORIAL',
  'SEQUENTIAL',
] as const;
export const OBSERVATIONAL_MODELS = [
  'COHORT',
  'CASE_CONTROL',
  'CASE_ONLY',
  'CASE_CROSSOVER',
  'ECOLOGIC_OR_COMMUNITY',
  'FAMILY_BASED',
  'DEFINED_POPULATION',
  'NATURAL_HISTORY',
  'OTHER',
] as const;
export const TIME_PERSPECTIVES = ['PROSPECTIVE', 'RETROSPECTIVE', 'CROSS_SECTIONAL', 'OTHER'] as const;
export const PRIMARY_PURPOSES = [
  'TREATMENT',
  'PREVENTION',
  'DIAGNOSTIC',
  'ECT',
  'SUPPORTIVE_CARE',
  'SCREENING',
  'HEALTH_SERVICES_RESEARCH',
  'BASIC_SCIENCE',
  'DEVICE_FEASIBILITY',
  'OTHER',
] as const;
export const MASKINGS = ['NONE', 'SINGLE', 'DOUBLE', 'TRIPLE', 'QUADRUPLE'] as const;
export const WHO_MASKED = ['PARTICIPANT', 'CARE_PROVIDER', 'INVESTIGATOR', 'OUTCOMES_ASSESSOR'] as const;
export const SEXES = ['ALL', 'FEMALE', 'MALE'] as const;
export const STD_AGES = ['CHILD', 'ADULT', 'OLDER_ADULT'] as const;

// ---------------------------------------------------------------------------------------------
// API v2 study object (the subset we read). Everything is optional, as in the real API: a
// `fields=` request drops modules, and older records lack fields that newer ones have.
// ---------------------------------------------------------------------------------------------

/** `{ date: 'YYYY-MM' | 'YYYY-MM-DD', type }`; records from before ~2011 often have no type. */
export interface CtgovDateStruct {
  date?: string;
  type?: CtgovDateType;
}

export interface CtgovOrganization {
  fullName?: string;
  class?: CtgovAgencyClass;
}

export interface CtgovIdentificationModule {
  nctId?: string;
  orgStudyIdInfo?: { id?: string };
  organization?: CtgovOrganization;
  briefTitle?: string;
  officialTitle?: string;
  acronym?: string;
}

export interface CtgovStatusModule {
  /** `YYYY-MM` (occasionally `YYYY-MM-DD`). */
  statusVerifiedDate?: string;
  overallStatus?: CtgovOverallStatus;
  /** Present on UNKNOWN studies: the status before it went stale. */
  lastKnownStatus?: CtgovOverallStatus;
  whyStopped?: string;
  expandedAccessInfo?: { hasExpandedAccess?: boolean };
  startDateStruct?: CtgovDateStruct;
  primaryCompletionDateStruct?: CtgovDateStruct;
  completionDateStruct?: CtgovDateStruct;
  /** `YYYY-MM-DD`. */
  studyFirstSubmitDate?: string;
  studyFirstSubmitQcDate?: string;
  studyFirstPostDateStruct?: CtgovDateStruct;
  resultsFirstSubmitDate?: string;
  resultsFirstPostDateStruct?: CtgovDateStruct;
  lastUpdateSubmitDate?: string;
  lastUpdatePostDateStruct?: CtgovDateStruct;
}

export interface CtgovSponsor {
  name?: string;
  class?: CtgovAgencyClass;
}

export interface CtgovSponsorCollaboratorsModule {
  responsibleParty?: { type?: 'SPONSOR' | 'PRINCIPAL_INVESTIGATOR' | 'SPONSOR_INVESTIGATOR' };
  leadSponsor?: CtgovSponsor;
  collaborators?: CtgovSponsor[];
}

export interface CtgovDescriptionModule {
  briefSummary?: string;
  detailedDescription?: string;
}

export interface CtgovConditionsModule {
  conditions?: string[];
  keywords?: string[];
}

export interface CtgovMaskingInfo {
  masking?: (typeof MASKINGS)[number];
  whoMasked?: (typeof WHO_MASKED)[number][];
}

export interface CtgovDesignInfo {
  allocation?: (typeof ALLOCATIONS)[number];
  interventionModel?: (typeof INTERVENTION_MODELS)[number];
  observationalModel?: (typeof OBSERVATIONAL_MODELS)[number];
  timePerspective?: (typeof TIME_PERSPECTIVES)[number];
  primaryPurpose?: (typeof PRIMARY_PURPOSES)[number];
  maskingInfo?: CtgovMaskingInfo;
}

export interface CtgovEnrollmentInfo {
  count?: number;
  type?: CtgovDateType;
}

export interface CtgovDesignModule {
  studyType?: CtgovStudyType;
  /** Absent on observational and expanded-access studies; `['NA']` for non-drug trials. */
  phases?: CtgovPhase[];
  designInfo?: CtgovDesignInfo;
  enrollmentInfo?: CtgovEnrollmentInfo;
  expandedAccessTypes?: { individual?: boolean; intermediate?: boolean; treatment?: boolean };
}

export interface CtgovArmGroup {
  label?: string;
  type?: string;
  description?: string;
  interventionNames?: string[];
}

export interface CtgovIntervention {
  type?: CtgovInterventionType;
  name?: string;
  description?: string;
  armGroupLabels?: string[];
  otherNames?: string[];
}

export interface CtgovArmsInterventionsModule {
  armGroups?: CtgovArmGroup[];
  interventions?: CtgovIntervention[];
}

export interface CtgovOutcome {
  measure?: string;
  description?: string;
  timeFrame?: string;
}

export interface CtgovOutcomesModule {
  primaryOutcomes?: CtgovOutcome[];
  secondaryOutcomes?: CtgovOutcome[];
  otherOutcomes?: CtgovOutcome[];
}

export interface CtgovEligibilityModule {
  eligibilityCriteria?: string;
  healthyVolunteers?: boolean;
  sex?: (typeof SEXES)[number];
  /** Free text such as `18 Years`, `1 Year`, `6 Months`, `1 Day`. */
  minimumAge?: string;
  maximumAge?: string;
  stdAges?: (typeof STD_AGES)[number][];
}

export interface CtgovGeoPoint {
  lat?: number;
  lon?: number;
}

export interface CtgovLocation {
  facility?: string;
  status?: CtgovLocationStatus;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  geoPoint?: CtgovGeoPoint;
}

export interface CtgovContactsLocationsModule {
  locations?: CtgovLocation[];
}

export interface CtgovProtocolSection {
  identificationModule?: CtgovIdentificationModule;
  statusModule?: CtgovStatusModule;
  sponsorCollaboratorsModule?: CtgovSponsorCollaboratorsModule;
  descriptionModule?: CtgovDescriptionModule;
  conditionsModule?: CtgovConditionsModule;
  designModule?: CtgovDesignModule;
  armsInterventionsModule?: CtgovArmsInterventionsModule;
  outcomesModule?: CtgovOutcomesModule;
  eligibilityModule?: CtgovEligibilityModule;
  contactsLocationsModule?: CtgovContactsLocationsModule;
}

export interface CtgovStudy {
  protocolSection?: CtgovProtocolSection;
  /** Absent from some search responses; `resultsSection` may still be there. */
  hasResults?: boolean;
  /** Not mapped; its presence alone says the study has results when `hasResults` is absent. */
  resultsSection?: unknown;
}

// ---------------------------------------------------------------------------------------------
// Rows (column names are the table columns; other code writes SQL against them)
// ---------------------------------------------------------------------------------------------

export type DatePrecision = 'month' | 'day';

/** Dates in rows are ISO `YYYY-MM-DD` strings so rows stay engine-neutral (DuckDB, Postgres, MySQL). */
export type IsoDate = string;

export interface StudyRow {
  nct_id: string;
  brief_title: string | null;
  official_title: string | null;
  brief_summary: string | null;
  overall_status: string | null;
  /** Phases joined with '/', e.g. 'PHASE1/PHASE2'; null when the record has none. */
  phase: string | null;
  study_type: string | null;
  lead_sponsor: string | null;
  sponsor_class: string | null;
  start_date: IsoDate | null;
  start_date_precision: DatePrecision | null;
  primary_completion_date: IsoDate | null;
  primary_completion_type: string | null;
  completion_date: IsoDate | null;
  completion_type: string | null;
  first_submitted: IsoDate | null;
  last_updated: IsoDate | null;
  enrollment: number | null;
  enrollment_type: string | null;
  has_results: boolean | null;
  allocation: string | null;
  intervention_model: string | null;
  primary_purpose: string | null;
  masking: string | null;
  sex: string | null;
  minimum_age: string | null;
  healthy_volunteers: boolean | null;
  condition_count: number;
  intervention_count: number;
  location_count: number;
}

export interface ConditionRow {
  nct_id: string;
  condition: string | null;
}

export interface InterventionRow {
  nct_id: string;
  intervention_type: string | null;
  name: string | null;
}

export interface SponsorRow {
  nct_id: string;
  name: string | null;
  role: 'LEAD' | 'COLLABORATOR';
  sponsor_class: string | null;
}

export interface LocationRow {
  nct_id: string;
  facility: string | null;
  city: string | null;
  state: string | null;
  country: string | null;
  status: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface OutcomeRow {
  nct_id: string;
  outcome_type: 'PRIMARY' | 'SECONDARY' | 'OTHER';
  measure: string | null;
  time_frame: string | null;
}

export interface StudyTables {
  studies: StudyRow[];
  conditions: ConditionRow[];
  interventions: InterventionRow[];
  sponsors: SponsorRow[];
  locations: LocationRow[];
  outcomes: OutcomeRow[];
}

export type TableName = keyof StudyTables;

/** Why a record produced no rows. Returned, never thrown, so one bad record cannot stop a run. */
export interface StudyProblem {
  code: 'not_an_object' | 'missing_nct_id';
  message: string;
  /** Whatever title the record had, to help a person find it in the source. */
  briefTitle: string | null;
}

export type StudyRows =
  { ok: true; nctId: string; tables: StudyTables } | { ok: false; problem: StudyProblem };

export type ColumnType = 'VARCHAR' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'DATE';

export interface ColumnSpec<Row> {
  name: keyof Row & string;
  type: ColumnType;
}

/**
 * Column order and SQL types of every table. Writers (DuckDB appender, future pipeline upserts)
 * iterate this list so a column added here is added everywhere, in one order.
 */
export const CTGOV_TABLES: { readonly [T in TableName]: readonly ColumnSpec<StudyTables[T][number]>[] } = {
  studies: [
    { name: 'nct_id', type: 'VARCHAR' },
    { name: 'brief_title', type: 'VARCHAR' },
    { name: 'official_title', type: 'VARCHAR' },
    { name: 'brief_summary', type: 'VARCHAR' },
    { name: 'overall_status', type: 'VARCHAR' },
    { name: 'phase', type: 'VARCHAR' },
    { name: 'study_type', type: 'VARCHAR' },
    { name: 'lead_sponsor', type: 'VARCHAR' },
    { name: 'sponsor_class', type: 'VARCHAR' },
    { name: 'start_date', type: 'DATE' },
    { name: 'start_date_precision', type: 'VARCHAR' },
    { name: 'primary_completion_date', type: 'DATE' },
    { name: 'primary_completion_type', type: 'VARCHAR' },
    { name: 'completion_date', type: 'DATE' },
    { name: 'completion_type', type: 'VARCHAR' },
    { name: 'first_submitted', type: 'DATE' },
    { name: 'last_updated', type: 'DATE' },
    { name: 'enrollment', type: 'INTEGER' },
    { name: 'enrollment_type', type: 'VARCHAR' },
    { name: 'has_results', type: 'BOOLEAN' },
    { name: 'allocation', type: 'VARCHAR' },
    { name: 'intervention_model', type: 'VARCHAR' },
    { name: 'primary_purpose', type: 'VARCHAR' },
    { name: 'masking', type: 'VARCHAR' },
    { name: 'sex', type: 'VARCHAR' },
    { name: 'minimum_age', type: 'VARCHAR' },
    { name: 'healthy_volunteers', type: 'BOOLEAN' },
    { name: 'condition_count', type: 'INTEGER' },
    { name: 'intervention_count', type: 'INTEGER' },
    { name: 'location_count', type: 'INTEGER' },
  ],
  conditions: [
    { name: 'nct_id', type: 'VARCHAR' },
    { name: 'condition', type: 'VARCHAR' },
  ],
  interventions: [
    { name: 'nct_id', type: 'VARCHAR' },
    { name: 'intervention_type', type: 'VARCHAR' },
    { name: 'name', type: 'VARCHAR' },
  ],
  sponsors: [
    { name: 'nct_id', type: 'VARCHAR' },
    { name: 'name', type: 'VARCHAR' },
    { name: 'role', type: 'VARCHAR' },
    { name: 'sponsor_class', type: 'VARCHAR' },
  ],
  locations: [
    { name: 'nct_id', type: 'VARCHAR' },
    { name: 'facility', type: 'VARCHAR' },
    { name: 'city', type: 'VARCHAR' },
    { name: 'state', type: 'VARCHAR' },
    { name: 'country', type: 'VARCHAR' },
    { name: 'status', type: 'VARCHAR' },
    { name: 'latitude', type: 'DOUBLE' },
    { name: 'longitude', type: 'DOUBLE' },
  ],
  outcomes: [
    { name: 'nct_id', type: 'VARCHAR' },
    { name: 'outcome_type', type: 'VARCHAR' },
    { name: 'measure', type: 'VARCHAR' },
    { name: 'time_frame', type: 'VARCHAR' },
  ],
};

export const TABLE_NAMES: readonly TableName[] = [
  'studies',
  'conditions',
  'interventions',
  'sponsors',
  'locations',
  'outcomes',
];

// ---------------------------------------------------------------------------------------------
// Defensive readers: the input is untrusted JSON, so each one narrows `unknown` or gives up.
// ---------------------------------------------------------------------------------------------

type JsonObject = Readonly<Record<string, unknown>>;

function obj(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

/** Arrays that are not arrays (or absent) read as empty, so counts and rows stay consistent. */
function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Empty and whitespace-only strings carry no information; storing them would skew "missing" counts. */
function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function bool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

const INT32_MAX = 2_147_483_647;

/** Enrollment is an INTEGER column: anything that is not a non-negative int32 becomes null. */
function int32(v: unknown): number | null {
  let n: number | null = null;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) n = Number(v);
  if (n === null || !Number.isInteger(n) || n < 0 || n > INT32_MAX) return null;
  return n;
}

function coordinate(v: unknown, limit: number): number | null {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= limit ? v : null;
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

export interface ParsedDate {
  /** `YYYY-MM-DD`; month-precision dates are pinned to the first day of the month. */
  date: IsoDate;
  precision: DatePrecision;
}

const DATE_RE = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `YYYY-MM-DD` → precision 'day'; `YYYY-MM` → first of the month, precision 'month'.
 * Anything else (including a bare `YYYY`, impossible days like 2023-02-30, or non-strings) is
 * null: a year alone would land every such study in January and distort per-month charts.
 */
export function parseCtgovDate(v: unknown): ParsedDate | null {
  if (typeof v !== 'string') return null;
  const m = DATE_RE.exec(v.trim());
  if (m === null) return null;
  const [, ys, ms, ds] = m;
  if (ys === undefined || ms === undefined) return null;
  const year = Number(ys);
  const month = Number(ms);
  if (year < 1000 || month < 1 || month > 12) return null;
  if (ds === undefined) return { date: `${ys}-${ms}-01`, precision: 'month' };
  const day = Number(ds);
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return { date: `${ys}-${ms}-${ds}`, precision: 'day' };
}

/**
 * Days since 1970-01-01 for an IsoDate produced by parseCtgovDate (what DuckDB's DATE stores).
 * Plain integer arithmetic (H. Hinnant's days_from_civil): no Date object, no time zone.
 */
export function isoDateToEpochDays(iso: IsoDate): number {
  const y0 = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  if (
    !Number.isInteger(y0) ||
    !Number.isInteger(m) ||
    !Number.isInteger(d) ||
    m < 1 ||
    m > 12 ||
    d < 1 ||
    d > 31
  ) {
    throw new RangeError(`not an ISO date: ${iso}`);
  }
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function dateStruct(v: unknown): { date: ParsedDate | null; type: string | null } {
  const s = obj(v);
  return { date: parseCtgovDate(s?.['date']), type: str(s?.['type']) };
}

// ---------------------------------------------------------------------------------------------
// The mapping
// ---------------------------------------------------------------------------------------------

/** Maps one API v2 study object to rows of the six tables. Never throws. */
export function mapStudy(study: unknown): StudyRows {
  const root = obj(study);
  if (root === undefined) {
    return {
      ok: false,
      problem: { code: 'not_an_object', message: 'study is not a JSON object', briefTitle: null },
    };
  }
  const protocol = obj(root['protocolSection']);
  const ident = obj(protocol?.['identificationModule']);
  const briefTitle = str(ident?.['briefTitle']);
  const rawId = str(ident?.['nctId']);
  if (rawId === null) {
    return {
      ok: false,
      problem: {
        code: 'missing_nct_id',
        message: 'protocolSection.identificationModule.nctId is missing or empty',
        briefTitle,
      },
    };
  }
  // Trimmed because it is the join key of every table; stray whitespace would orphan child rows.
  const nctId = rawId.trim();

  const status = obj(protocol?.['statusModule']);
  const sponsorModule = obj(protocol?.['sponsorCollaboratorsModule']);
  const description = obj(protocol?.['descriptionModule']);
  const conditionsModule = obj(protocol?.['conditionsModule']);
  const design = obj(protocol?.['designModule']);
  const designInfo = obj(design?.['designInfo']);
  const enrollmentInfo = obj(design?.['enrollmentInfo']);
  const armsModule = obj(protocol?.['armsInterventionsModule']);
  const outcomesModule = obj(protocol?.['outcomesModule']);
  const eligibility = obj(protocol?.['eligibilityModule']);
  const contacts = obj(protocol?.['contactsLocationsModule']);

  // Child tables: one row per array element, even for malformed elements, so that row counts
  // always equal the array lengths in the record (an invariant the ingestion checks rely on).
  const conditions: ConditionRow[] = arr(conditionsModule?.['conditions']).map((c) => ({
    nct_id: nctId,
    condition: str(c),
  }));

  const interventions: InterventionRow[] = arr(armsModule?.['interventions']).map((i) => {
    const o = obj(i);
    return { nct_id: nctId, intervention_type: str(o?.['type']), name: str(o?.['name']) };
  });

  const sponsors: SponsorRow[] = [];
  const lead = obj(sponsorModule?.['leadSponsor']);
  if (lead !== undefined) {
    sponsors.push({
      nct_id: nctId,
      name: str(lead['name']),
      role: 'LEAD',
      sponsor_class: str(lead['class']),
    });
  }
  for (const c of arr(sponsorModule?.['collaborators'])) {
    const o = obj(c);
    sponsors.push({
      nct_id: nctId,
      name: str(o?.['name']),
      role: 'COLLABORATOR',
      sponsor_class: str(o?.['class']),
    });
  }

  const rawLocations = arr(contacts?.['locations']);
  // A plain loop with a preallocated array: some records carry 1,000+ sites.
  const locations: LocationRow[] = new Array<LocationRow>(rawLocations.length);
  for (let i = 0; i < rawLocations.length; i++) {
    const o = obj(rawLocations[i]);
    const geo = obj(o?.['geoPoint']);
    locations[i] = {
      nct_id: nctId,
      facility: str(o?.['facility']),
      city: str(o?.['city']),
      state: str(o?.['state']),
      country: str(o?.['country']),
      status: str(o?.['status']),
      latitude: coordinate(geo?.['lat'], 90),
      longitude: coordinate(geo?.['lon'], 180),
    };
  }

  const outcomes: OutcomeRow[] = [];
  const outcomeLists = [
    ['PRIMARY', 'primaryOutcomes'],
    ['SECONDARY', 'secondaryOutcomes'],
    ['OTHER', 'otherOutcomes'],
  ] as const;
  for (const [outcomeType, key] of outcomeLists) {
    for (const item of arr(outcomesModule?.[key])) {
      const o = obj(item);
      outcomes.push({
        nct_id: nctId,
        outcome_type: outcomeType,
        measure: str(o?.['measure']),
        time_frame: str(o?.['timeFrame']),
      });
    }
  }

  const phaseParts = arr(design?.['phases']).flatMap((p) => {
    const s = str(p);
    return s === null ? [] : [s];
  });

  const start = dateStruct(status?.['startDateStruct']);
  const primaryCompletion = dateStruct(status?.['primaryCompletionDateStruct']);
  const completion = dateStruct(status?.['completionDateStruct']);
  // "Last Update Posted" is what the registry shows; the submit date is the fallback for
  // records that only carry that one.
  const lastUpdated =
    parseCtgovDate(obj(status?.['lastUpdatePostDateStruct'])?.['date']) ??
    parseCtgovDate(status?.['lastUpdateSubmitDate']);

  // `hasResults` is missing from some search responses that still embed `resultsSection`;
  // when neither is there we do not know, which is not the same as "no results".
  const hasResults = bool(root['hasResults']) ?? (obj(root['resultsSection']) !== undefined ? true : null);

  const studyRow: StudyRow = {
    nct_id: nctId,
    brief_title: briefTitle,
    official_title: str(ident?.['officialTitle']),
    brief_summary: str(description?.['briefSummary']),
    overall_status: str(status?.['overallStatus']),
    phase: phaseParts.length > 0 ? phaseParts.join('/') : null,
    study_type: str(design?.['studyType']),
    lead_sponsor: str(lead?.['name']),
    sponsor_class: str(lead?.['class']),
    start_date: start.date?.date ?? null,
    start_date_precision: start.date?.precision ?? null,
    primary_completion_date: primaryCompletion.date?.date ?? null,
    primary_completion_type: primaryCompletion.type,
    completion_date: completion.date?.date ?? null,
    completion_type: completion.type,
    first_submitted: parseCtgovDate(status?.['studyFirstSubmitDate'])?.date ?? null,
    last_updated: lastUpdated?.date ?? null,
    enrollment: int32(enrollmentInfo?.['count']),
    enrollment_type: str(enrollmentInfo?.['type']),
    has_results: hasResults,
    allocation: str(designInfo?.['allocation']),
    intervention_model: str(designInfo?.['interventionModel']),
    primary_purpose: str(designInfo?.['primaryPurpose']),
    masking: str(obj(designInfo?.['maskingInfo'])?.['masking']),
    sex: str(eligibility?.['sex']),
    minimum_age: str(eligibility?.['minimumAge']),
    healthy_volunteers: bool(eligibility?.['healthyVolunteers']),
    condition_count: conditions.length,
    intervention_count: interventions.length,
    location_count: locations.length,
  };

  return {
    ok: true,
    nctId,
    tables: { studies: [studyRow], conditions, interventions, sponsors, locations, outcomes },
  };
}
