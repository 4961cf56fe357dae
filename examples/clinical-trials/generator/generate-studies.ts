/**
 * Deterministic generator of ClinicalTrials.gov API v2 study objects for the offline
 * `clinical-trials` example.
 *
 * The output is in the real API shape (value sets and date formats checked against recorded
 * responses) so it flows through the same `mapStudy` transform as downloaded data, and the
 * dashboards see the same quirks: `YYYY-MM` dates on older studies, untyped date structs,
 * enrollment 0 on withdrawn studies, missing modules, a few studies with 1,000+ sites.
 *
 * Determinism: every study gets its own PRNG seeded from (seed, index), so the same seed gives
 * byte-identical output, a smaller run is a prefix of a larger one, and "today" is the fixed
 * GENERATOR_TODAY, never the real clock. All vocabularies below are written for this file.
 */
import { civilFromDays, daysFromCivil } from '../../../server/dates/civil-days.js';
import type {
  CtgovAgencyClass,
  CtgovArmsInterventionsModule,
  CtgovConditionsModule,
  CtgovContactsLocationsModule,
  CtgovDateStruct,
  CtgovDateType,
  CtgovDesignInfo,
  CtgovDesignModule,
  CtgovEligibilityModule,
  CtgovIntervention,
  CtgovInterventionType,
  CtgovLocation,
  CtgovLocationStatus,
  CtgovOutcome,
  CtgovOutcomesModule,
  CtgovOverallStatus,
  CtgovPhase,
  CtgovProtocolSection,
  CtgovSponsor,
  CtgovStatusModule,
  CtgovStudy,
  CtgovStudyType,
  MASKINGS,
  PRIMARY_PURPOSES,
  STD_AGES,
  WHO_MASKED,
} from '../transforms/ctgov-study.js';

/** Bump when the output for a given seed changes, so cached databases get rebuilt. */
export const GENERATOR_VERSION = '1.1.0';
/** The generator's fixed "today": status and ACTUAL/ESTIMATED dates are relative to it. */
export const GENERATOR_TODAY = '2026-08-01';
export const DEFAULT_SEED = 20261124;
/** NCT numbers are 8 digits; the id scheme below stays unique up to this many studies. */
export const MAX_STUDIES = 1_000_000;

// =============================================================================================
// PRNG
// =============================================================================================

/** mulberry32: tiny, fast, good enough for synthetic data, and identical on every platform. */
class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Inclusive on both ends. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const v = items[Math.floor(this.next() * items.length)];
    if (v === undefined) throw new Error('generator bug: pick from an empty list');
    return v;
  }

  /** Box–Muller; uses exactly two draws per call so the draw sequence stays easy to reason about. */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Weighted pick over a small inline table (allocation-free alternative to Weighted). */
  choose<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const e of entries) total += e[1];
    let x = this.next() * total;
    for (const e of entries) {
      x -= e[1];
      if (x < 0) return e[0];
    }
    const last = entries[entries.length - 1];
    if (last === undefined) throw new Error('generator bug: empty weighted table');
    return last[0];
  }

  /** Up to n distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = items.slice();
    const out: T[] = [];
    for (let i = 0; i < n && copy.length > 0; i++) {
      const j = Math.floor(this.next() * copy.length);
      const last = copy.pop();
      if (last === undefined) break;
      if (j < copy.length) {
        const chosen = copy[j];
        copy[j] = last;
        if (chosen !== undefined) out.push(chosen);
      } else {
        out.push(last);
      }
    }
    return out;
  }
}

/** Weighted choice with a cumulative table and binary search (location picks run ~10^6 times). */
class Weighted<T> {
  private readonly items: readonly T[];
  private readonly cum: Float64Array;
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    if (entries.length === 0) throw new Error('generator bug: empty weighted table');
    this.items = entries.map((e) => e[0]);
    this.cum = new Float64Array(entries.length);
    let acc = 0;
    entries.forEach((e, i) => {
      acc += e[1];
      this.cum[i] = acc;
    });
    this.total = acc;
  }

  pick(rng: Rng): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cum[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    const v = this.items[lo];
    if (v === undefined) throw new Error('generator bug: weighted pick out of range');
    return v;
  }
}

function w<T>(entries: readonly (readonly [T, number])[]): Weighted<T> {
  return new Weighted(entries);
}

/** Per-study seed: a 32-bit avalanche of (seed, index) so neighbouring studies are unrelated. */
function studySeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// =============================================================================================
// Calendar arithmetic on integer day numbers (server/dates/civil-days.ts: no Date objects, no time
// zones, no real clock)
// =============================================================================================

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function fmtDay(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

function fmtMonth(days: number): string {
  const [y, m] = civilFromDays(days);
  return `${y}-${pad2(m)}`;
}

const TODAY = daysFromCivil(2026, 8, 1);
const DAYS_PER_MONTH = 30.436875;
const months = (n: number): number => Math.round(n * DAYS_PER_MONTH);
const YEAR = 365;
/** The FDAAA final rule (2017-01-18) made full-day dates the norm; older records mostly have months. */
const FINAL_RULE = daysFromCivil(2017, 1, 18);
/** Older records (before ~2011) often carry start date structs without an ACTUAL/ESTIMATED type. */
const UNTYPED_ERA_END = daysFromCivil(2011, 1, 1);

// =============================================================================================
// Vocabularies (data tables are kept compact with prettier-ignore; one entry per line would
// turn a few hundred short names into thousands of lines)
// =============================================================================================

interface Area {
  key: string;
  weight: number;
  conditions: readonly string[];
  /** Suffixes for invented international-nonproprietary-style drug names. */
  stems: readonly string[];
  /** Established generic comparators and background therapies. */
  comparators: readonly string[];
  outcomes: readonly string[];
  /** Word used in facility/sponsor names ("Cancer Center", "Heart Institute"). */
  centre: string;
}

// prettier-ignore
const AREAS: readonly Area[] = [
  {
    key: 'oncology',
    weight: 26,
    centre: 'Cancer Center',
    conditions: [
      'Breast Cancer', 'Metastatic Breast Cancer', 'HER2-positive Breast Cancer', 'Triple Negative Breast Cancer',
      'Hormone Receptor Positive Breast Cancer', 'Early Breast Cancer', 'Non-Small Cell Lung Cancer',
      'Small Cell Lung Cancer', 'Lung Adenocarcinoma', 'Colorectal Cancer', 'Metastatic Colorectal Cancer',
      'Rectal Cancer', 'Prostate Cancer', 'Metastatic Castration-Resistant Prostate Cancer', 'Pancreatic Cancer',
      'Pancreatic Ductal Adenocarcinoma', 'Gastric Cancer', 'Esophageal Cancer', 'Hepatocellular Carcinoma',
      'Cholangiocarcinoma', 'Ovarian Cancer', 'Cervical Cancer', 'Endometrial Cancer', 'Bladder Cancer',
      'Urothelial Carcinoma', 'Renal Cell Carcinoma', 'Melanoma', 'Head and Neck Squamous Cell Carcinoma',
      'Nasopharyngeal Carcinoma', 'Thyroid Cancer', 'Glioblastoma', 'Brain Metastases', 'Multiple Myeloma',
      'Acute Myeloid Leukemia', 'Acute Lymphoblastic Leukemia', 'Chronic Lymphocytic Leukemia',
      'Chronic Myeloid Leukemia', 'Diffuse Large B-Cell Lymphoma', 'Follicular Lymphoma', 'Hodgkin Lymphoma',
      'Mantle Cell Lymphoma', 'Myelodysplastic Syndromes', 'Soft Tissue Sarcoma', 'Osteosarcoma', 'Neuroblastoma',
      'Mesothelioma', 'Neuroendocrine Tumors', 'Advanced Solid Tumors', 'Cancer-related Fatigue',
      'Chemotherapy-induced Nausea and Vomiting',
    ],
    stems: ['tinib', 'rafenib', 'ciclib', 'lisib', 'parib', 'tuzumab', 'limab', 'zomib', 'tecan', 'degib'],
    comparators: [
      'Cisplatin', 'Carboplatin', 'Paclitaxel', 'Docetaxel', 'Gemcitabine', 'Capecitabine', 'Oxaliplatin',
      'Doxorubicin', 'Cyclophosphamide', 'Letrozole', 'Tamoxifen', 'Fulvestrant', 'Pemetrexed', 'Etoposide',
      'Temozolomide',
    ],
    outcomes: [
      'Overall Survival (OS)', 'Progression-Free Survival (PFS)', 'Objective Response Rate (ORR)',
      'Duration of Response (DOR)', 'Disease Control Rate', 'Pathologic Complete Response (pCR) Rate',
      'Number of Participants With Dose-Limiting Toxicities', 'Event-Free Survival', 'Time to Progression',
      'Recurrence-Free Survival', 'Maximum Tolerated Dose', 'Minimal Residual Disease Negativity Rate',
    ],
  },
  {
    key: 'cardiovascular',
    weight: 9,
    centre: 'Heart Institute',
    conditions: [
      'Hypertension', 'Resistant Hypertension', 'Heart Failure', 'Heart Failure With Reduced Ejection Fraction',
      'Heart Failure With Preserved Ejection Fraction', 'Atrial Fibrillation', 'Coronary Artery Disease',
      'Acute Myocardial Infarction', 'Stable Angina', 'Peripheral Artery Disease', 'Aortic Stenosis',
      'Hypercholesterolemia', 'Familial Hypercholesterolemia', 'Dyslipidemia', 'Pulmonary Arterial Hypertension',
      'Venous Thromboembolism', 'Deep Vein Thrombosis', 'Cardiomyopathy', 'Hypertrophic Cardiomyopathy',
      'Cardiac Arrest', 'Ventricular Tachycardia', 'Acute Coronary Syndrome',
    ],
    stems: ['sartan', 'pril', 'olol', 'dipine', 'xaban', 'gatran', 'statin', 'sentan', 'cimab', 'siran'],
    comparators: [
      'Aspirin', 'Atorvastatin', 'Rosuvastatin', 'Amlodipine', 'Ramipril', 'Metoprolol', 'Warfarin',
      'Clopidogrel', 'Furosemide', 'Spironolactone', 'Heparin',
    ],
    outcomes: [
      'Time to First Major Adverse Cardiovascular Event (MACE)', 'Change From Baseline in Systolic Blood Pressure',
      'Change in Left Ventricular Ejection Fraction', 'Hospitalization for Heart Failure',
      'Change From Baseline in NT-proBNP', 'Recurrence of Atrial Fibrillation', 'Percent Change in LDL Cholesterol',
      'Cardiovascular Death', 'Change in 6-Minute Walk Distance', 'Major Bleeding Events',
    ],
  },
  {
    key: 'metabolic',
    weight: 8,
    centre: 'Diabetes Center',
    conditions: [
      'Type 2 Diabetes Mellitus', 'Type 2 Diabetes', 'Type 1 Diabetes', 'Diabetes Mellitus', 'Prediabetes',
      'Gestational Diabetes', 'Diabetic Neuropathy', 'Diabetic Kidney Disease', 'Diabetic Foot Ulcer', 'Obesity',
      'Overweight and Obesity', 'Metabolic Syndrome', 'Nonalcoholic Steatohepatitis', 'Hypothyroidism',
      'Graves Disease', 'Osteoporosis', 'Vitamin D Deficiency', 'Growth Hormone Deficiency', 'Cushing Syndrome',
      'Hyperuricemia', 'Gout', 'Hypoglycemia',
    ],
    stems: ['gliflozin', 'glutide', 'gliptin', 'glitazone', 'lintide', 'dronate', 'tirelin', 'glucagon'],
    comparators: [
      'Metformin', 'Insulin Glargine', 'Insulin Aspart', 'Sitagliptin', 'Dapagliflozin', 'Semaglutide',
      'Levothyroxine', 'Alendronate', 'Cholecalciferol', 'Allopurinol',
    ],
    outcomes: [
      'Change From Baseline in HbA1c', 'Change in Fasting Plasma Glucose', 'Percent Change in Body Weight',
      'Time in Range Measured by Continuous Glucose Monitoring', 'Incidence of Hypoglycemia',
      'Change in Liver Fat Content Measured by MRI-PDFF', 'Change in Bone Mineral Density at the Lumbar Spine',
      'Proportion of Participants Achieving HbA1c Below 7%', 'Change in Insulin Sensitivity (HOMA-IR)',
    ],
  },
  {
    key: 'infectious',
    weight: 8,
    centre: 'Infectious Diseases Institute',
    conditions: [
      'HIV Infections', 'HIV-1 Infection', 'Chronic Hepatitis B', 'Hepatitis C', 'COVID-19', 'Influenza',
      'Respiratory Syncytial Virus Infection', 'Tuberculosis', 'Multidrug-Resistant Tuberculosis', 'Malaria',
      'Plasmodium Falciparum Malaria', 'Community-acquired Pneumonia', 'Sepsis', 'Septic Shock',
      'Urinary Tract Infection', 'Complicated Urinary Tract Infection', 'Clostridioides Difficile Infection',
      'Herpes Zoster', 'Human Papillomavirus Infection', 'Pneumococcal Infection', 'Meningococcal Disease',
      'Dengue', 'Cytomegalovirus Infection', 'Bacterial Vaginosis', 'Onychomycosis',
    ],
    stems: ['vir', 'buvir', 'tegravir', 'previr', 'mycin', 'floxacin', 'penem', 'conazole', 'quine', 'bactam'],
    comparators: [
      'Dolutegravir', 'Tenofovir', 'Emtricitabine', 'Ceftriaxone', 'Amoxicillin', 'Azithromycin', 'Oseltamivir',
      'Vancomycin', 'Artemether-Lumefantrine', 'Isoniazid', 'Rifampicin',
    ],
    outcomes: [
      'Sustained Virologic Response 12 Weeks After Treatment (SVR12)', 'Clinical Cure at the Test-of-Cure Visit',
      'Time to Sustained Clinical Recovery', 'Seroconversion Rate', 'Geometric Mean Titer of Neutralizing Antibodies',
      'Proportion of Participants With HIV-1 RNA Below 50 Copies/mL', 'Microbiological Eradication Rate',
      'Incidence of Solicited Local and Systemic Reactions', '28-Day All-cause Mortality',
      'Parasite Clearance Time',
    ],
  },
  {
    key: 'neurology',
    weight: 8,
    centre: 'Neuroscience Institute',
    conditions: [
      'Alzheimer Disease', 'Mild Cognitive Impairment', 'Parkinson Disease', 'Multiple Sclerosis',
      'Relapsing Multiple Sclerosis', 'Migraine', 'Chronic Migraine', 'Epilepsy', 'Focal Seizures',
      'Amyotrophic Lateral Sclerosis', 'Acute Ischemic Stroke', 'Stroke', 'Traumatic Brain Injury',
      'Spinal Cord Injury', 'Huntington Disease', 'Myasthenia Gravis', 'Spinal Muscular Atrophy',
      'Duchenne Muscular Dystrophy', 'Peripheral Neuropathy', 'Essential Tremor', 'Restless Legs Syndrome',
      'Narcolepsy', 'Cerebral Palsy', 'Postherpetic Neuralgia',
    ],
    stems: ['gepant', 'triptan', 'racetam', 'nersen', 'nemab', 'pimod', 'stigmine', 'lamide'],
    comparators: [
      'Levetiracetam', 'Donepezil', 'Levodopa/Carbidopa', 'Topiramate', 'Gabapentin', 'Pregabalin', 'Alteplase',
      'Botulinum Toxin Type A', 'Interferon Beta-1a', 'Riluzole',
    ],
    outcomes: [
      'Change From Baseline in Expanded Disability Status Scale (EDSS)', 'Annualized Relapse Rate',
      'Change in Monthly Migraine Days', 'Change in MDS-UPDRS Part III Score', 'Percent Reduction in Seizure Frequency',
      'Change in ADAS-Cog Score', 'Modified Rankin Scale Score at Day 90', 'Change in Clinical Dementia Rating Sum of Boxes',
      'Change in ALS Functional Rating Scale-Revised', 'Change in Motor Function Measure',
    ],
  },
  {
    key: 'psychiatry',
    weight: 6,
    centre: 'Mental Health Centre',
    conditions: [
      'Major Depressive Disorder', 'Depression', 'Treatment-Resistant Depression', 'Postpartum Depression',
      'Bipolar Disorder', 'Schizophrenia', 'Generalized Anxiety Disorder', 'Anxiety', 'Post-Traumatic Stress Disorder',
      'Obsessive-Compulsive Disorder', 'Attention Deficit Hyperactivity Disorder', 'Autism Spectrum Disorder',
      'Insomnia', 'Alcohol Use Disorder', 'Opioid Use Disorder', 'Smoking Cessation', 'Cannabis Use Disorder',
      'Anorexia Nervosa', 'Binge Eating Disorder', 'Burnout',
    ],
    stems: ['oxetine', 'apine', 'peridone', 'azepam', 'pramine', 'orexant', 'vilazone'],
    comparators: [
      'Sertraline', 'Escitalopram', 'Fluoxetine', 'Quetiapine', 'Aripiprazole', 'Lithium', 'Ketamine',
      'Methylphenidate', 'Buprenorphine', 'Naltrexone', 'Varenicline', 'Melatonin',
    ],
    outcomes: [
      'Change From Baseline in MADRS Total Score', 'Change in PANSS Total Score', 'Change in HAM-A Total Score',
      'Response Rate (50% or Greater Reduction in Symptom Score)', 'Change in PHQ-9 Score',
      'Percentage of Days Abstinent', 'Change in CAPS-5 Total Score', 'Change in Insomnia Severity Index',
      'Remission Rate', 'Change in ADHD Rating Scale Score',
    ],
  },
  {
    key: 'respiratory',
    weight: 5,
    centre: 'Lung Institute',
    conditions: [
      'Asthma', 'Severe Asthma', 'Chronic Obstructive Pulmonary Disease', 'Idiopathic Pulmonary Fibrosis',
      'Cystic Fibrosis', 'Bronchiectasis', 'Obstructive Sleep Apnea', 'Acute Respiratory Distress Syndrome',
      'Allergic Rhinitis', 'Chronic Rhinosinusitis With Nasal Polyps', 'Chronic Cough', 'Sarcoidosis',
      'Pulmonary Embolism', 'Bronchopulmonary Dysplasia',
    ],
    stems: ['terol', 'sonide', 'lukast', 'tropium', 'pirone', 'lizumab', 'caftor'],
    comparators: [
      'Budesonide', 'Fluticasone', 'Salmeterol', 'Tiotropium', 'Montelukast', 'Albuterol', 'Prednisone',
      'Pirfenidone',
    ],
    outcomes: [
      'Change From Baseline in Pre-bronchodilator FEV1', 'Annualized Rate of Moderate or Severe Exacerbations',
      "Change in St. George's Respiratory Questionnaire Total Score", 'Change in Apnea-Hypopnea Index',
      'Change in Asthma Control Questionnaire Score', 'Annual Rate of Decline in Forced Vital Capacity',
      'Ventilator-free Days at Day 28', 'Change in 24-hour Cough Frequency',
    ],
  },
  {
    key: 'immunology',
    weight: 6,
    centre: 'Rheumatology Institute',
    conditions: [
      'Rheumatoid Arthritis', 'Psoriatic Arthritis', 'Ankylosing Spondylitis', 'Axial Spondyloarthritis',
      'Systemic Lupus Erythematosus', 'Lupus Nephritis', 'Plaque Psoriasis', 'Psoriasis', 'Atopic Dermatitis',
      'Hidradenitis Suppurativa', 'Sjogren Syndrome', 'Systemic Sclerosis', 'Giant Cell Arteritis', 'Vasculitis',
      'Chronic Spontaneous Urticaria', 'Alopecia Areata', 'Vitiligo', 'Juvenile Idiopathic Arthritis',
      'Food Allergy', 'Peanut Allergy',
    ],
    stems: ['citinib', 'kinumab', 'lizumab', 'cept', 'limus', 'tolimod'],
    comparators: [
      'Methotrexate', 'Adalimumab', 'Etanercept', 'Hydroxychloroquine', 'Prednisone', 'Tofacitinib',
      'Mycophenolate Mofetil', 'Cyclosporine',
    ],
    outcomes: [
      'Proportion of Participants Achieving ACR20 Response at Week 24', 'Proportion Achieving PASI 75 Response',
      'Change From Baseline in DAS28-CRP', 'Proportion Achieving EASI-75', 'SLE Responder Index (SRI-4) Response',
      'Change in Pruritus Numeric Rating Scale', 'Change in SALT Score', 'Complete Renal Response Rate',
    ],
  },
  {
    key: 'gastroenterology',
    weight: 4,
    centre: 'Digestive Disease Center',
    conditions: [
      'Crohn Disease', 'Ulcerative Colitis', 'Inflammatory Bowel Disease', 'Irritable Bowel Syndrome',
      'Gastroesophageal Reflux Disease', 'Helicobacter Pylori Infection', 'Cirrhosis', 'Liver Cirrhosis',
      'Primary Biliary Cholangitis', 'Primary Sclerosing Cholangitis', 'Eosinophilic Esophagitis', 'Celiac Disease',
      'Chronic Pancreatitis', 'Acute Pancreatitis', 'Functional Dyspepsia', 'Constipation',
      'Colonoscopy Bowel Preparation', 'Postoperative Ileus',
    ],
    stems: ['prazole', 'setron', 'lizumab', 'citinib', 'clotide', 'fibrate'],
    comparators: [
      'Omeprazole', 'Pantoprazole', 'Mesalamine', 'Infliximab', 'Ursodeoxycholic Acid', 'Polyethylene Glycol',
      'Rifaximin', 'Lactulose',
    ],
    outcomes: [
      'Clinical Remission at Week 8', 'Endoscopic Response at Week 52', 'Change in Abdominal Pain Score',
      'Helicobacter Pylori Eradication Rate', 'Change in Alkaline Phosphatase', 'Adenoma Detection Rate',
      'Quality of Bowel Preparation (Boston Bowel Preparation Scale)', 'Time to First Bowel Movement',
    ],
  },
  {
    key: 'nephrology-urology',
    weight: 3,
    centre: 'Kidney Center',
    conditions: [
      'Chronic Kidney Disease', 'End Stage Renal Disease', 'Acute Kidney Injury', 'IgA Nephropathy',
      'Focal Segmental Glomerulosclerosis', 'Polycystic Kidney Disease', 'Kidney Transplantation', 'Kidney Stones',
      'Overactive Bladder', 'Urinary Incontinence', 'Benign Prostatic Hyperplasia', 'Erectile Dysfunction',
      'Hyperkalemia', 'Anemia in Chronic Kidney Disease',
    ],
    stems: ['dustat', 'sartan', 'fenacin', 'begron', 'sentan', 'cimab'],
    comparators: [
      'Tamsulosin', 'Finasteride', 'Epoetin Alfa', 'Tacrolimus', 'Mycophenolate Mofetil', 'Losartan',
      'Sodium Bicarbonate', 'Sildenafil', 'Oxybutynin', 'Mirabegron',
    ],
    outcomes: [
      'Change From Baseline in eGFR', 'Change in Urine Albumin-to-Creatinine Ratio', 'Time to Kidney Failure',
      'Stone-free Rate', 'Change in International Prostate Symptom Score', 'Change in Daily Micturition Episodes',
      'Change in Hemoglobin', 'Biopsy-proven Acute Rejection',
    ],
  },
  {
    key: 'hematology',
    weight: 3,
    centre: 'Blood Disorders Center',
    conditions: [
      'Sickle Cell Disease', 'Beta Thalassemia', 'Hemophilia A', 'Hemophilia B', 'Iron Deficiency Anemia',
      'Immune Thrombocytopenia', 'Paroxysmal Nocturnal Hemoglobinuria', 'Aplastic Anemia',
      'Graft Versus Host Disease', 'Myelofibrosis', 'Polycythemia Vera', 'Von Willebrand Disease',
    ],
    stems: ['cizumab', 'fusp', 'oxelotor', 'tinib', 'bopag', 'cogene'],
    comparators: [
      'Hydroxyurea', 'Factor VIII', 'Iron Sucrose', 'Ferrous Sulfate', 'Eltrombopag', 'Ruxolitinib',
      'Deferasirox',
    ],
    outcomes: [
      'Annualized Bleeding Rate', 'Rate of Vaso-occlusive Crises', 'Change From Baseline in Hemoglobin',
      'Platelet Response', 'Transfusion Independence', 'Spleen Volume Reduction of 35% or More',
      'Incidence of Acute Graft Versus Host Disease',
    ],
  },
  {
    key: 'womens-health',
    weight: 3,
    centre: "Women's Hospital",
    conditions: [
      'Pregnancy', 'Preterm Birth', 'Preeclampsia', 'Postpartum Hemorrhage', 'Endometriosis', 'Uterine Fibroids',
      'Infertility', 'In Vitro Fertilization', 'Menopause', 'Vasomotor Symptoms', 'Polycystic Ovary Syndrome',
      'Contraception', 'Heavy Menstrual Bleeding', 'Labor Pain', 'Cesarean Section', 'Breastfeeding',
    ],
    stems: ['relix', 'gestrel', 'tocin', 'fenone', 'fertin'],
    comparators: [
      'Oxytocin', 'Misoprostol', 'Progesterone', 'Letrozole', 'Clomiphene Citrate', 'Magnesium Sulfate',
      'Tranexamic Acid', 'Estradiol', 'Levonorgestrel', 'Carbetocin',
    ],
    outcomes: [
      'Clinical Pregnancy Rate', 'Live Birth Rate', 'Blood Loss Within 24 Hours After Delivery',
      'Change in Pelvic Pain Score', 'Gestational Age at Delivery', 'Change in Frequency of Hot Flashes',
      'Rate of Preterm Birth Before 37 Weeks', 'Change in Menstrual Blood Loss',
    ],
  },
  {
    key: 'musculoskeletal-pain',
    weight: 4,
    centre: 'Orthopedic Institute',
    conditions: [
      'Knee Osteoarthritis', 'Osteoarthritis', 'Hip Osteoarthritis', 'Chronic Low Back Pain', 'Low Back Pain',
      'Neck Pain', 'Fibromyalgia', 'Rotator Cuff Tear', 'Anterior Cruciate Ligament Injury', 'Total Knee Arthroplasty',
      'Hip Fracture', 'Plantar Fasciitis', 'Carpal Tunnel Syndrome', 'Chronic Pain', 'Postoperative Pain',
      'Sarcopenia', 'Frailty',
    ],
    stems: ['coxib', 'profen', 'nezumab', 'caine', 'fenac'],
    comparators: [
      'Ibuprofen', 'Naproxen', 'Celecoxib', 'Acetaminophen', 'Duloxetine', 'Hyaluronic Acid', 'Triamcinolone',
      'Tramadol', 'Diclofenac',
    ],
    outcomes: [
      'Change From Baseline in WOMAC Pain Score', 'Change in Pain Intensity on a 0-10 Numeric Rating Scale',
      'Change in Oswestry Disability Index', 'Cumulative Opioid Consumption in 48 Hours', 'Time to First Rescue Analgesia',
      'Change in Timed Up and Go Test', 'Change in Grip Strength', 'Range of Motion',
    ],
  },
  {
    key: 'ophthalmology',
    weight: 2,
    centre: 'Eye Hospital',
    conditions: [
      'Neovascular Age-Related Macular Degeneration', 'Geographic Atrophy', 'Diabetic Macular Edema',
      'Diabetic Retinopathy', 'Glaucoma', 'Open-Angle Glaucoma', 'Dry Eye Disease', 'Myopia', 'Cataract',
      'Uveitis', 'Retinitis Pigmentosa', 'Retinal Vein Occlusion', 'Keratoconus',
    ],
    stems: ['cizumab', 'bercept', 'prost', 'olol', 'coplan'],
    comparators: [
      'Ranibizumab', 'Aflibercept', 'Bevacizumab', 'Latanoprost', 'Timolol', 'Atropine Eye Drops',
      'Cyclosporine Eye Drops',
    ],
    outcomes: [
      'Change From Baseline in Best-Corrected Visual Acuity', 'Change in Central Subfield Thickness',
      'Change in Intraocular Pressure', 'Change in Corneal Fluorescein Staining Score',
      'Change in Spherical Equivalent Refraction', 'Growth Rate of Geographic Atrophy Lesion Area',
    ],
  },
  {
    key: 'surgery-anesthesia',
    weight: 3,
    centre: 'Surgical Center',
    conditions: [
      'Anesthesia', 'General Anesthesia', 'Postoperative Nausea and Vomiting', 'Surgical Site Infection',
      'Colorectal Surgery', 'Cardiac Surgery', 'Bariatric Surgery', 'Emergence Delirium', 'Postoperative Delirium',
      'Inguinal Hernia', 'Cholecystectomy', 'Spinal Anesthesia', 'Intubation', 'Wound Healing', 'Burns',
    ],
    stems: ['caine', 'fentanil', 'curonium', 'detomidine', 'setron'],
    comparators: [
      'Dexmedetomidine', 'Propofol', 'Sevoflurane', 'Bupivacaine', 'Ropivacaine', 'Lidocaine', 'Ondansetron',
      'Dexamethasone', 'Tranexamic Acid', 'Remifentanil', 'Sugammadex',
    ],
    outcomes: [
      'Postoperative Pain Score at 24 Hours', 'Incidence of Postoperative Nausea and Vomiting',
      'Incidence of Surgical Site Infection Within 30 Days', 'Length of Hospital Stay',
      'Incidence of Postoperative Delirium', 'Time to Extubation', 'Quality of Recovery (QoR-15) Score',
      'Intraoperative Blood Loss',
    ],
  },
  {
    key: 'dental',
    weight: 1,
    centre: 'Dental Hospital',
    conditions: [
      'Periodontitis', 'Dental Caries', 'Gingivitis', 'Dental Implant Failure', 'Tooth Extraction', 'Pulpitis',
      'Oral Mucositis', 'Malocclusion', 'Dentin Hypersensitivity', 'Peri-implantitis',
    ],
    stems: ['caine', 'hexidine', 'cycline'],
    comparators: ['Chlorhexidine', 'Articaine', 'Lidocaine', 'Amoxicillin', 'Ibuprofen', 'Fluoride Varnish', 'Doxycycline'],
    outcomes: [
      'Change in Probing Pocket Depth', 'Clinical Attachment Level Gain', 'Plaque Index', 'Caries Increment (DMFS)',
      'Implant Survival Rate', 'Postoperative Pain on Visual Analogue Scale', 'Gingival Index',
    ],
  },
  {
    key: 'healthy-volunteers',
    weight: 2,
    centre: 'Clinical Pharmacology Unit',
    conditions: [
      'Healthy Volunteers', 'Healthy', 'Healthy Participants', 'Drug-drug Interaction', 'Bioequivalence',
      'Vaccine Response', 'Renal Impairment', 'Hepatic Impairment',
    ],
    stems: ['tinib', 'gliflozin', 'vir', 'sartan', 'citinib', 'gepant'],
    comparators: ['Midazolam', 'Itraconazole', 'Rifampin', 'Caffeine'],
    outcomes: [
      'Maximum Plasma Concentration (Cmax)', 'Area Under the Concentration-Time Curve (AUC0-inf)',
      'Time to Maximum Plasma Concentration (Tmax)', 'Terminal Elimination Half-life',
      'Number of Participants With Treatment-Emergent Adverse Events', 'Geometric Mean Ratio of AUC',
    ],
  },
  {
    key: 'pediatrics-neonatal',
    weight: 1.5,
    centre: "Children's Hospital",
    conditions: [
      'Neonatal Sepsis', 'Neonatal Jaundice', 'Respiratory Distress Syndrome in Premature Infants', 'Bronchiolitis',
      'Acute Otitis Media', 'Childhood Obesity', 'Kawasaki Disease', 'Infantile Colic', 'Necrotizing Enterocolitis',
      'Retinopathy of Prematurity',
    ],
    stems: ['cillin', 'cycline', 'mycin', 'sone'],
    comparators: ['Amoxicillin', 'Poractant Alfa', 'Caffeine Citrate', 'Ibuprofen', 'Paracetamol', 'Zinc Sulfate'],
    outcomes: [
      'Duration of Hospital Stay', 'Need for Mechanical Ventilation', 'Change in Serum Bilirubin',
      'Change in BMI z-score', 'Time to Full Enteral Feeding', 'Incidence of Bronchopulmonary Dysplasia',
    ],
  },
  {
    key: 'dermatology',
    weight: 2,
    centre: 'Skin Institute',
    conditions: [
      'Acne Vulgaris', 'Rosacea', 'Actinic Keratosis', 'Basal Cell Carcinoma', 'Chronic Wounds', 'Venous Leg Ulcer',
      'Pressure Ulcer', 'Seborrheic Dermatitis', 'Hypertrophic Scars', 'Keloid', 'Epidermolysis Bullosa',
      'Pemphigus Vulgaris',
    ],
    stems: ['cycline', 'tinoin', 'limus', 'citinib', 'kinumab'],
    comparators: [
      'Tretinoin', 'Doxycycline', 'Clobetasol', 'Tacrolimus Ointment', 'Imiquimod', 'Fluorouracil Cream',
      'Isotretinoin',
    ],
    outcomes: [
      "Investigator's Global Assessment Success", 'Change in Inflammatory Lesion Count',
      'Proportion of Wounds Completely Closed at Week 12', 'Change in Wound Area', 'Lesion Clearance Rate',
      'Change in Vancouver Scar Scale',
    ],
  },
];

const AREA_TABLE = w(AREAS.map((a) => [a, a.weight] as const));
/**
 * Conditions are listed most common first; a Zipf-like weight makes "Breast Cancer" far more
 * frequent than "Mesothelioma", so top-N charts have a realistic long tail.
 */
const CONDITION_TABLES: ReadonlyMap<string, Weighted<string>> = new Map(
  AREAS.map((a) => [a.key, w(a.conditions.map((c, i) => [c, 1 / Math.pow(i + 1, 0.8)] as const))]),
);
function pickCondition(rng: Rng, a: Area): string {
  const table = CONDITION_TABLES.get(a.key);
  if (table === undefined) throw new Error(`generator bug: no condition table for ${a.key}`);
  return table.pick(rng);
}
const AREA_BY_KEY = new Map(AREAS.map((a) => [a.key, a]));
function area(key: string): Area {
  const a = AREA_BY_KEY.get(key);
  if (a === undefined) throw new Error(`generator bug: unknown area ${key}`);
  return a;
}

/** Eligibility follows the condition: trials of these enrol one sex only (mostly). */
// prettier-ignore
const FEMALE_CONDITIONS = new Set([
  'Breast Cancer', 'Metastatic Breast Cancer', 'HER2-positive Breast Cancer', 'Triple Negative Breast Cancer',
  'Hormone Receptor Positive Breast Cancer', 'Early Breast Cancer', 'Ovarian Cancer', 'Cervical Cancer',
  'Endometrial Cancer', 'Gestational Diabetes', 'Postpartum Depression', 'Bacterial Vaginosis',
  ...area('womens-health').conditions,
]);
// prettier-ignore
const MALE_CONDITIONS = new Set([
  'Prostate Cancer', 'Metastatic Castration-Resistant Prostate Cancer', 'Benign Prostatic Hyperplasia',
  'Erectile Dysfunction',
]);

// prettier-ignore
const GENERIC_OUTCOMES = [
  'Number of Participants With Treatment-Emergent Adverse Events',
  'Number of Participants With Serious Adverse Events',
  'Change From Baseline in Health-Related Quality of Life (EQ-5D-5L)',
  'Change in SF-36 Physical Component Score',
  'Patient Global Impression of Change',
  'Treatment Adherence',
  'All-cause Mortality',
  'Number of Participants With Clinically Significant Laboratory Abnormalities',
  'Plasma Concentration of Study Drug',
  'Incidence of Anti-drug Antibodies',
  'Patient Satisfaction Score',
  'Healthcare Resource Utilization',
  'Time to Treatment Discontinuation',
  'Feasibility: Recruitment and Retention Rates',
];

// prettier-ignore
const TIME_FRAMES = [
  'Baseline to Week 12', 'Baseline to Week 24', 'Week 52', 'Up to 24 weeks', 'Up to 5 years', 'Day 1 to Day 28',
  'Approximately 3 years', '12 months', '6 months', 'Through study completion, an average of 1 year',
  'Pre-dose and up to 72 hours post-dose', 'Day 90', '30 days after surgery', 'Baseline, Month 3, Month 6',
  'Up to 2 years', 'Week 8', 'Week 16', '48 hours', 'From randomization to death from any cause, up to 60 months',
  'From enrollment to end of treatment at 8 weeks',
];

/** Invented drug names: syllable + area stem, e.g. "velatinib". Built once, from a fixed seed. */
// prettier-ignore
const DRUG_SYLLABLES = [
  'ala', 'bexa', 'cali', 'dara', 'elo', 'fena', 'gava', 'hexa', 'ixa', 'jolo', 'kira', 'lexa', 'mava', 'nira',
  'ola', 'pexa', 'quila', 'rova', 'sela', 'tova', 'ula', 'vexa', 'zano', 'bria', 'cora', 'dova', 'epra', 'fila',
  'gela', 'ibra', 'lumi', 'mona', 'nova', 'opti', 'pira', 'reta', 'sota', 'tala', 'vola', 'xira', 'yela', 'zeta',
];

const INVENTED_DRUGS: ReadonlyMap<string, readonly string[]> = (() => {
  const rng = new Rng(0x5eed);
  const out = new Map<string, readonly string[]>();
  for (const a of AREAS) {
    const names = new Set<string>();
    while (names.size < 24) {
      const stem = rng.pick(a.stems);
      const syllable = rng.pick(DRUG_SYLLABLES);
      // Two-syllable roots for short stems, so names are not all 5 letters.
      const root = stem.length <= 4 ? syllable + rng.pick(['n', 'r', 'l', 't', 'v']) + 'i' : syllable;
      const name = root + stem;
      names.add(name.charAt(0).toUpperCase() + name.slice(1));
    }
    out.set(a.key, [...names]);
  }
  return out;
})();

function inventedDrugs(a: Area): readonly string[] {
  return INVENTED_DRUGS.get(a.key) ?? [];
}

/** Antibodies and fusion proteins are registered as BIOLOGICAL, small molecules as DRUG. */
function drugType(name: string): CtgovInterventionType {
  return /(mab|cept|fusp|cogene)$/i.test(name) ? 'BIOLOGICAL' : 'DRUG';
}

/**
 * Non-drug interventions. "Name@area,area" limits an entry to those therapeutic areas (so a
 * cardiac device is not tested for migraine); entries without "@" fit any area.
 */
// prettier-ignore
const NON_DRUG: { readonly [K in CtgovInterventionType]?: readonly string[] } = {
  DEVICE: [
    'Continuous Glucose Monitor@metabolic', 'Closed-loop Insulin Delivery System@metabolic',
    'Transcatheter Aortic Valve@cardiovascular', 'Drug-Eluting Stent@cardiovascular',
    'Implantable Loop Recorder@cardiovascular', 'Compression Stockings@cardiovascular,surgery-anesthesia',
    'Negative Pressure Wound Therapy@dermatology,surgery-anesthesia', 'Advanced Wound Dressing@dermatology,surgery-anesthesia,metabolic',
    'Transcranial Magnetic Stimulation@psychiatry,neurology', 'Continuous Positive Airway Pressure@respiratory',
    'High-flow Nasal Cannula@respiratory,pediatrics-neonatal', 'Robotic Exoskeleton@neurology,musculoskeletal-pain',
    'Spinal Cord Stimulator@musculoskeletal-pain,neurology', 'Photobiomodulation@dental,dermatology,oncology',
    'Virtual Reality Headset@psychiatry,surgery-anesthesia,musculoskeletal-pain,pediatrics-neonatal',
    'Scalp Cooling System@oncology', 'Transcutaneous Electrical Nerve Stimulation@musculoskeletal-pain,womens-health',
    'Intraocular Lens@ophthalmology', 'Laser Therapy@ophthalmology,dermatology,dental', 'Intrauterine Device@womens-health',
    'Dental Implant System@dental', 'Wearable Activity Tracker', 'Smartphone Application', 'Remote Monitoring Platform',
  ],
  PROCEDURE: [
    'Laparoscopic Surgery@surgery-anesthesia,gastroenterology,womens-health,oncology',
    'Robot-assisted Surgery@surgery-anesthesia,oncology,nephrology-urology',
    'Ultrasound-guided Nerve Block@surgery-anesthesia,musculoskeletal-pain',
    'Erector Spinae Plane Block@surgery-anesthesia', 'Transversus Abdominis Plane Block@surgery-anesthesia,womens-health',
    'Catheter Ablation@cardiovascular', 'Percutaneous Coronary Intervention@cardiovascular',
    'Allogeneic Stem Cell Transplantation@hematology,oncology', 'Fecal Microbiota Transplantation@gastroenterology,infectious',
    'Physical Therapy@musculoskeletal-pain,neurology', 'Dry Needling@musculoskeletal-pain',
    'Acupuncture@musculoskeletal-pain,oncology,womens-health,psychiatry,gastroenterology',
    'Radiofrequency Ablation@musculoskeletal-pain,oncology,cardiovascular', 'Early Mobilization@surgery-anesthesia',
    'Prehabilitation@surgery-anesthesia,oncology', 'Endoscopic Submucosal Dissection@gastroenterology,oncology',
    'Sentinel Lymph Node Biopsy@oncology', 'Pulmonary Rehabilitation@respiratory',
    'Modified Cesarean Technique@womens-health', 'Periodontal Flap Surgery@dental', 'Phacoemulsification@ophthalmology',
    'Percutaneous Nephrolithotomy@nephrology-urology', 'Incremental Hemodialysis@nephrology-urology',
    'Kangaroo Mother Care@pediatrics-neonatal', 'Split-thickness Skin Graft@dermatology',
  ],
  RADIATION: [
    'Stereotactic Body Radiation Therapy@oncology', 'Intensity-Modulated Radiation Therapy@oncology',
    'Proton Beam Therapy@oncology', 'Hypofractionated Radiotherapy@oncology', 'Whole Brain Radiotherapy@oncology',
    'Brachytherapy@oncology', 'Radioligand Therapy@oncology', 'Stereotactic Radiosurgery@oncology,neurology',
  ],
  BEHAVIORAL: [
    'Cognitive Behavioral Therapy', 'Mindfulness-Based Stress Reduction', 'Motivational Interviewing',
    'Aerobic Exercise Training', 'Resistance Training', 'Health Education', 'Peer Support', 'Text Message Reminders',
    'Mobile Health Coaching', 'Yoga', 'Tai Chi', 'Music Therapy', 'Problem-Solving Therapy',
    'Digital Self-Management Program', 'Sleep Hygiene Education@psychiatry,neurology,respiratory',
    'Dietary Counseling@metabolic,cardiovascular,gastroenterology,nephrology-urology',
    'Family-Based Intervention@pediatrics-neonatal,psychiatry,metabolic',
    'Smoking Cessation Counseling@psychiatry,respiratory,cardiovascular,oncology',
    'Oral Hygiene Instruction@dental', 'Pelvic Floor Muscle Training@womens-health,nephrology-urology',
  ],
  DIAGNOSTIC_TEST: [
    'Circulating Tumor DNA Assay@oncology', 'Low-dose CT Screening@oncology,respiratory', 'PET-CT Imaging@oncology',
    'Rapid Molecular Diagnostic Test@infectious', 'Genomic Profiling@oncology,hematology', 'Cardiac MRI@cardiovascular',
    'Retinal Imaging With AI Grading@ophthalmology,metabolic', 'Capsule Endoscopy@gastroenterology',
    'Home Sleep Apnea Test@respiratory', 'Amyloid PET Imaging@neurology', 'Point-of-care Ultrasound',
    'Blood Biomarker Panel',
  ],
  DIETARY_SUPPLEMENT: [
    'Vitamin D3', 'Omega-3 Fatty Acids', 'Probiotic Supplement', 'Zinc Supplement', 'Whey Protein', 'Curcumin',
    'Magnesium Citrate', 'Oral Nutritional Supplement', 'Iron Supplement@hematology,womens-health,pediatrics-neonatal',
    'Folic Acid@womens-health', 'Ketogenic Diet@neurology,metabolic', 'Mediterranean Diet@cardiovascular,metabolic',
    'Cranberry Extract@nephrology-urology,infectious',
  ],
  GENETIC: [
    'AAV Gene Therapy@neurology,hematology,ophthalmology', 'Lentiviral Gene Therapy@hematology',
    'CRISPR-edited Autologous Cells@hematology,oncology', 'Antisense Oligonucleotide@neurology',
    'Pharmacogenomic Testing',
  ],
  BIOLOGICAL: [
    'Autologous CAR T Cells@oncology,hematology', 'Allogeneic NK Cells@oncology', 'Therapeutic Cancer Vaccine@oncology',
    'Oncolytic Virus@oncology', 'Adjuvanted Influenza Vaccine@infectious', 'mRNA RSV Vaccine@infectious',
    'Recombinant Zoster Vaccine@infectious', 'Inactivated COVID-19 Vaccine@infectious',
    'Pneumococcal Conjugate Vaccine@infectious', 'Malaria Vaccine Candidate@infectious', 'HPV Vaccine@infectious',
    'Tuberculosis Vaccine Candidate@infectious', 'Convalescent Plasma@infectious',
    'Mesenchymal Stem Cells', 'Platelet-Rich Plasma', 'Intravenous Immunoglobulin',
  ],
  COMBINATION_PRODUCT: [
    'Drug-coated Balloon@cardiovascular', 'Prefilled Autoinjector@immunology,metabolic',
    'Inhaler With Digital Sensor@respiratory', 'Intravitreal Implant@ophthalmology',
  ],
  OTHER: [
    'Standard of Care', 'Usual Care', 'Questionnaire', 'Blood Sample Collection', 'Educational Video',
    'Waitlist Control', 'Data Collection', 'Best Supportive Care',
  ],
};

/** Entries of `list` that fit area `areaKey` ("Name@a,b" syntax above), cached per list and area. */
const TAGGED_CACHE = new Map<readonly string[], Map<string, readonly string[]>>();
function forArea(list: readonly string[], areaKey: string): readonly string[] {
  let byArea = TAGGED_CACHE.get(list);
  if (byArea === undefined) {
    byArea = new Map();
    for (const entry of list) {
      const tags = entry.split('@')[1];
      for (const k of tags === undefined ? [] : tags.split(',')) {
        if (!AREA_BY_KEY.has(k)) throw new Error(`generator bug: unknown area "${k}" in "${entry}"`);
      }
    }
    TAGGED_CACHE.set(list, byArea);
  }
  let fitting = byArea.get(areaKey);
  if (fitting === undefined) {
    fitting = list.flatMap((entry) => {
      const [name, tags] = entry.split('@');
      if (name === undefined) return [];
      return tags === undefined || tags.split(',').includes(areaKey) ? [name] : [];
    });
    byArea.set(areaKey, fitting);
  }
  return fitting;
}

/** A non-drug intervention of `type` that fits the area; falls back to behavioural ones, which fit all. */
function nonDrug(rng: Rng, type: CtgovInterventionType, a: Area): Named {
  const fitting = forArea(NON_DRUG[type] ?? [], a.key);
  if (fitting.length > 0) return { type, name: rng.pick(fitting) };
  return { type: 'BEHAVIORAL', name: rng.pick(forArea(NON_DRUG.BEHAVIORAL ?? [], a.key)) };
}

// prettier-ignore
const OBSERVATIONAL_INTERVENTIONS: readonly (readonly [CtgovInterventionType, string])[] = [
  ['OTHER', 'No Intervention'], ['OTHER', 'Observation'], ['OTHER', 'Questionnaire'],
  ['OTHER', 'Blood Sample Collection'], ['DIAGNOSTIC_TEST', 'Imaging'], ['OTHER', 'Medical Record Review'],
  ['DIAGNOSTIC_TEST', 'Biomarker Measurement'], ['PROCEDURE', 'Tissue Biopsy'],
];

// ---- Places: "Country|home weight|site weight|City,lat,lon[,State];..."
// home weight: where lead sponsors and single-country studies sit; site weight: where
// multinational (mostly industry) trials open sites. Coordinates are city centres.
const COUNTRY_DATA = `
United States|30|30|New York,40.71,-74.01,New York;Boston,42.36,-71.06,Massachusetts;Houston,29.76,-95.37,Texas;Los Angeles,34.05,-118.24,California;Chicago,41.88,-87.63,Illinois;Philadelphia,39.95,-75.17,Pennsylvania;Baltimore,39.29,-76.61,Maryland;Seattle,47.61,-122.33,Washington;San Francisco,37.77,-122.42,California;Rochester,44.02,-92.47,Minnesota;Atlanta,33.75,-84.39,Georgia;Nashville,36.16,-86.78,Tennessee;Durham,35.99,-78.90,North Carolina;Pittsburgh,40.44,-79.99,Pennsylvania;Cleveland,41.50,-81.69,Ohio;San Diego,32.72,-117.16,California;Dallas,32.78,-96.80,Texas;Miami,25.76,-80.19,Florida;Denver,39.74,-104.99,Colorado;Ann Arbor,42.28,-83.74,Michigan;Saint Louis,38.63,-90.20,Missouri;Salt Lake City,40.76,-111.89,Utah;Portland,45.52,-122.68,Oregon;Minneapolis,44.98,-93.27,Minnesota;Columbus,39.96,-83.00,Ohio;Tampa,27.95,-82.46,Florida;Birmingham,33.52,-86.80,Alabama;Indianapolis,39.77,-86.16,Indiana;Detroit,42.33,-83.05,Michigan;New Haven,41.31,-72.92,Connecticut;Chapel Hill,35.91,-79.06,North Carolina;Washington,38.91,-77.04,District of Columbia;Phoenix,33.45,-112.07,Arizona;San Antonio,29.42,-98.49,Texas;Charlotte,35.23,-80.84,North Carolina;Kansas City,39.10,-94.58,Missouri;Omaha,41.26,-95.93,Nebraska;New Orleans,29.95,-90.07,Louisiana;Sacramento,38.58,-121.49,California;Milwaukee,43.04,-87.91,Wisconsin;Madison,43.07,-89.40,Wisconsin;Iowa City,41.66,-91.53,Iowa;Little Rock,34.75,-92.29,Arkansas;Richmond,37.54,-77.44,Virginia;Providence,41.82,-71.41,Rhode Island;Albuquerque,35.08,-106.65,New Mexico;Las Vegas,36.17,-115.14,Nevada;Honolulu,21.31,-157.86,Hawaii;Boise,43.62,-116.20,Idaho;Burlington,44.48,-73.21,Vermont
China|9|6|Beijing,39.90,116.41,Beijing;Shanghai,31.23,121.47,Shanghai;Guangzhou,23.13,113.26,Guangdong;Chengdu,30.57,104.07,Sichuan;Wuhan,30.59,114.31,Hubei;Hangzhou,30.27,120.16,Zhejiang;Nanjing,32.06,118.80,Jiangsu;Shenzhen,22.54,114.06,Guangdong;Xi'an,34.34,108.94,Shaanxi;Tianjin,39.34,117.36,Tianjin;Chongqing,29.56,106.55,Chongqing;Changsha,28.23,112.94,Hunan;Zhengzhou,34.75,113.63,Henan;Jinan,36.65,117.12,Shandong;Harbin,45.80,126.53,Heilongjiang;Shenyang,41.81,123.43,Liaoning;Kunming,25.04,102.71,Yunnan;Fuzhou,26.07,119.30,Fujian;Suzhou,31.30,120.59,Jiangsu;Qingdao,36.07,120.38,Shandong
France|5|3.5|Paris,48.86,2.35;Lyon,45.76,4.84;Marseille,43.30,5.37;Toulouse,43.60,1.44;Lille,50.63,3.06;Bordeaux,44.84,-0.58;Nantes,47.22,-1.55;Strasbourg,48.57,7.75;Montpellier,43.61,3.88;Rennes,48.11,-1.68;Nice,43.70,7.27
Egypt|5|0.6|Cairo,30.04,31.24;Assiut,27.18,31.18;Alexandria,31.20,29.92;Mansoura,31.04,31.38;Giza,30.01,31.21;Tanta,30.79,31.00;Sohag,26.56,31.69;Zagazig,30.59,31.50
United Kingdom|4|3|London,51.51,-0.13;Manchester,53.48,-2.24;Birmingham,52.49,-1.89;Oxford,51.75,-1.26;Cambridge,52.21,0.12;Glasgow,55.86,-4.25;Edinburgh,55.95,-3.19;Leeds,53.80,-1.55;Bristol,51.45,-2.59;Newcastle upon Tyne,54.98,-1.62;Cardiff,51.48,-3.18;Belfast,54.60,-5.93;Liverpool,53.41,-2.98;Sheffield,53.38,-1.47;Nottingham,52.95,-1.15
Germany|3.5|4|Berlin,52.52,13.40;Munich,48.14,11.58;Hamburg,53.55,9.99;Frankfurt,50.11,8.68;Heidelberg,49.40,8.69;Cologne,50.94,6.96;Dresden,51.05,13.74;Leipzig,51.34,12.37;Freiburg,47.99,7.84;Hannover,52.38,9.73;Essen,51.46,7.01;Mainz,50.00,8.27
Canada|3.5|3.5|Toronto,43.65,-79.38,Ontario;Montreal,45.50,-73.57,Quebec;Vancouver,49.28,-123.12,British Columbia;Calgary,51.05,-114.07,Alberta;Edmonton,53.55,-113.49,Alberta;Ottawa,45.42,-75.70,Ontario;Hamilton,43.26,-79.87,Ontario;Winnipeg,49.90,-97.14,Manitoba;Halifax,44.65,-63.58,Nova Scotia;Quebec City,46.81,-71.21,Quebec
Spain|3.5|3.5|Madrid,40.42,-3.70;Barcelona,41.39,2.17;Valencia,39.47,-0.38;Seville,37.39,-5.98;Malaga,36.72,-4.42;Bilbao,43.26,-2.93;Zaragoza,41.65,-0.89;Salamanca,40.97,-5.66;Santander,43.46,-3.81
Italy|3|3.5|Rome,41.90,12.50;Milan,45.46,9.19;Naples,40.85,14.27;Turin,45.07,7.69;Bologna,44.49,11.34;Florence,43.77,11.26;Padova,45.41,11.88;Genoa,44.41,8.93;Palermo,38.12,13.36;Bari,41.12,16.87
Korea, Republic of|3|2.5|Seoul,37.57,126.98;Busan,35.18,129.08;Incheon,37.46,126.71;Daegu,35.87,128.60;Gwangju,35.16,126.85;Daejeon,36.35,127.38;Seongnam,37.42,127.13;Goyang,37.66,126.83;Suwon,37.26,127.03;Ulsan,35.54,129.31
Turkey|3|1.2|Istanbul,41.01,28.98;Ankara,39.93,32.86;Izmir,38.42,27.14;Bursa,40.19,29.06;Adana,37.00,35.32;Antalya,36.90,30.70;Konya,37.87,32.48
Japan|2|3|Tokyo,35.68,139.69;Osaka,34.69,135.50;Nagoya,35.18,136.91;Yokohama,35.44,139.64;Fukuoka,33.59,130.40;Sapporo,43.06,141.35;Kyoto,35.01,135.77;Kobe,34.69,135.20;Sendai,38.27,140.87;Hiroshima,34.39,132.46;Chiba,35.61,140.12;Kashiwa,35.87,139.98
India|2|1.5|New Delhi,28.61,77.21,Delhi;Mumbai,19.08,72.88,Maharashtra;Bengaluru,12.97,77.59,Karnataka;Chennai,13.08,80.27,Tamil Nadu;Hyderabad,17.39,78.49,Telangana;Kolkata,22.57,88.36,West Bengal;Pune,18.52,73.86,Maharashtra;Ahmedabad,23.02,72.57,Gujarat;Jaipur,26.91,75.79,Rajasthan;Lucknow,26.85,80.95,Uttar Pradesh;Chandigarh,30.73,76.78,Chandigarh;Vellore,12.92,79.13,Tamil Nadu;Nagpur,21.15,79.09,Maharashtra;Kochi,9.93,76.27,Kerala;Bhubaneswar,20.30,85.82,Odisha;Manipal,13.35,74.79,Karnataka
Brazil|2|2|São Paulo,-23.55,-46.63,São Paulo;Rio de Janeiro,-22.91,-43.17,Rio de Janeiro;Porto Alegre,-30.03,-51.23,Rio Grande do Sul;Belo Horizonte,-19.92,-43.94,Minas Gerais;Curitiba,-25.43,-49.27,Paraná;Salvador,-12.97,-38.50,Bahia;Recife,-8.05,-34.88,Pernambuco;Fortaleza,-3.73,-38.52,Ceará;Brasília,-15.79,-47.88,Distrito Federal;Campinas,-22.91,-47.06,São Paulo;Barretos,-20.56,-48.57,São Paulo;Goiânia,-16.69,-49.26,Goiás
Netherlands|2|2|Amsterdam,52.37,4.90;Rotterdam,51.92,4.48;Utrecht,52.09,5.12;Leiden,52.16,4.49;Groningen,53.22,6.57;Nijmegen,51.84,5.85;Maastricht,50.85,5.69
Australia|2|2.5|Sydney,-33.87,151.21,New South Wales;Melbourne,-37.81,144.96,Victoria;Brisbane,-27.47,153.03,Queensland;Perth,-31.95,115.86,Western Australia;Adelaide,-34.93,138.60,South Australia;Hobart,-42.88,147.33,Tasmania;Canberra,-35.28,149.13,Australian Capital Territory;Newcastle,-32.93,151.78,New South Wales;Gold Coast,-28.02,153.40,Queensland;Darwin,-12.46,130.84,Northern Territory
Denmark|1.5|1|Copenhagen,55.68,12.57;Aarhus,56.16,10.20;Odense,55.40,10.39;Aalborg,57.05,9.92
Israel|1.5|1.5|Tel Aviv,32.09,34.78;Jerusalem,31.77,35.21;Haifa,32.79,34.99;Petah Tikva,32.09,34.89;Beersheba,31.25,34.79;Ramat Gan,32.07,34.82
Iran, Islamic Republic of|1.5|0.1|Tehran,35.69,51.39;Shiraz,29.59,52.58;Mashhad,36.30,59.61;Isfahan,32.65,51.67;Tabriz,38.08,46.29
Pakistan|1.5|0.3|Karachi,24.86,67.00;Lahore,31.55,74.34;Islamabad,33.68,73.05;Peshawar,34.01,71.58;Rawalpindi,33.60,73.04;Multan,30.16,71.52
Taiwan|1.5|1.5|Taipei,25.03,121.57;Kaohsiung,22.63,120.30;Taichung,24.15,120.67;Tainan,22.99,120.21;Taoyuan,24.99,121.30;Hsinchu,24.80,120.97
Belgium|1.2|2|Brussels,50.85,4.35;Leuven,50.88,4.70;Ghent,51.05,3.72;Antwerp,51.22,4.40;Liège,50.63,5.57
Switzerland|1.2|1|Zurich,47.38,8.54;Geneva,46.20,6.14;Basel,47.56,7.59;Bern,46.95,7.45;Lausanne,46.52,6.63
Sweden|1.2|1|Stockholm,59.33,18.07;Gothenburg,57.71,11.97;Uppsala,59.86,17.64;Lund,55.70,13.19;Umeå,63.83,20.26;Linköping,58.41,15.62
Norway|1|0.6|Oslo,59.91,10.75;Bergen,60.39,5.32;Trondheim,63.43,10.40;Tromsø,69.65,18.96;Stavanger,58.97,5.73
Austria|0.8|1.2|Vienna,48.21,16.37;Graz,47.07,15.44;Innsbruck,47.27,11.40;Salzburg,47.81,13.04;Linz,48.31,14.29
Poland|0.8|3|Warsaw,52.23,21.01;Kraków,50.06,19.94;Łódź,51.76,19.46;Wrocław,51.11,17.04;Poznań,52.41,16.93;Gdańsk,54.35,18.65;Lublin,51.25,22.57;Białystok,53.13,23.16
Mexico|0.8|1.5|Mexico City,19.43,-99.13,Ciudad de México;Guadalajara,20.66,-103.35,Jalisco;Monterrey,25.69,-100.32,Nuevo León;Puebla,19.04,-98.21,Puebla;Mérida,20.97,-89.62,Yucatán;Chihuahua,28.63,-106.07,Chihuahua;Culiacán,24.81,-107.39,Sinaloa;Oaxaca,17.07,-96.73,Oaxaca
Hong Kong|0.8|0.8|Hong Kong,22.32,114.17;Sha Tin,22.38,114.19;Pok Fu Lam,22.26,114.13
Saudi Arabia|0.8|0.4|Riyadh,24.71,46.68;Jeddah,21.49,39.19;Dammam,26.43,50.10;Mecca,21.39,39.86
Thailand|0.6|0.8|Bangkok,13.76,100.50;Chiang Mai,18.79,98.98;Khon Kaen,16.44,102.83;Songkhla,7.19,100.60;Phitsanulok,16.82,100.27
Finland|0.6|0.8|Helsinki,60.17,24.94;Tampere,61.50,23.76;Turku,60.45,22.27;Oulu,65.01,25.47;Kuopio,62.89,27.68
Greece|0.6|1|Athens,37.98,23.73;Thessaloniki,40.64,22.94;Patras,38.25,21.73;Heraklion,35.34,25.13;Ioannina,39.66,20.85
Singapore|0.5|0.8|Singapore,1.35,103.82
Czechia|0.4|1.5|Prague,50.08,14.44;Brno,49.20,16.61;Ostrava,49.82,18.26;Olomouc,49.59,17.25;Hradec Králové,50.21,15.83
Hungary|0.4|1.5|Budapest,47.50,19.04;Debrecen,47.53,21.63;Szeged,46.25,20.15;Pécs,46.07,18.23
Russian Federation|0.5|1.5|Moscow,55.76,37.62;Saint Petersburg,59.93,30.34;Kazan,55.79,49.12;Novosibirsk,55.01,82.93;Yekaterinburg,56.84,60.61;Samara,53.20,50.15;Tomsk,56.49,84.95
Ukraine|0.3|1.2|Kyiv,50.45,30.52;Kharkiv,49.99,36.23;Lviv,49.84,24.03;Odesa,46.48,30.72;Dnipro,48.46,35.05;Vinnytsia,49.23,28.47
Romania|0.3|1|Bucharest,44.43,26.10;Cluj-Napoca,46.77,23.59;Iași,47.16,27.59;Timișoara,45.75,21.23;Craiova,44.32,23.80
Bulgaria|0.2|1.2|Sofia,42.70,23.32;Plovdiv,42.14,24.75;Varna,43.21,27.91;Pleven,43.42,24.61
Serbia|0.2|0.7|Belgrade,44.79,20.45;Novi Sad,45.27,19.83;Niš,43.32,21.90;Kragujevac,44.02,20.91
Croatia|0.2|0.5|Zagreb,45.81,15.98;Split,43.51,16.44;Rijeka,45.33,14.44;Osijek,45.55,18.69
Slovakia|0.2|0.6|Bratislava,48.15,17.11;Košice,48.72,21.26;Martin,49.07,18.92;Banská Bystrica,48.74,19.15
Slovenia|0.2|0.3|Ljubljana,46.06,14.51;Maribor,46.55,15.65
Estonia|0.1|0.3|Tallinn,59.44,24.75;Tartu,58.38,26.72
Latvia|0.1|0.3|Riga,56.95,24.11;Daugavpils,55.87,26.54
Lithuania|0.1|0.4|Vilnius,54.69,25.28;Kaunas,54.90,23.89;Klaipėda,55.70,21.14
Ireland|0.4|0.6|Dublin,53.35,-6.26;Cork,51.90,-8.47;Galway,53.27,-9.05;Limerick,52.66,-8.63
Portugal|0.4|0.7|Lisbon,38.72,-9.14;Porto,41.15,-8.61;Coimbra,40.21,-8.43;Braga,41.55,-8.42
Argentina|0.5|1.5|Buenos Aires,-34.60,-58.38;Córdoba,-31.42,-64.18;Rosario,-32.94,-60.64;Mendoza,-32.89,-68.83;La Plata,-34.92,-57.95;San Miguel de Tucumán,-26.81,-65.22
Chile|0.4|0.8|Santiago,-33.45,-70.67;Valparaíso,-33.05,-71.62;Concepción,-36.83,-73.05;Temuco,-38.74,-72.60;Viña del Mar,-33.02,-71.55
Colombia|0.4|0.8|Bogotá,4.71,-74.07;Medellín,6.24,-75.58;Cali,3.45,-76.53;Barranquilla,10.96,-74.80;Bucaramanga,7.12,-73.12;Cartagena,10.39,-75.48
Peru|0.2|0.6|Lima,-12.05,-77.04;Arequipa,-16.41,-71.54;Trujillo,-8.11,-79.03;Cusco,-13.53,-71.97
Ecuador|0.1|0.1|Quito,-0.18,-78.47;Guayaquil,-2.17,-79.92;Cuenca,-2.90,-79.00
Guatemala|0.1|0.3|Guatemala City,14.63,-90.51;Quetzaltenango,14.83,-91.52
Puerto Rico|0.1|0.8|San Juan,18.47,-66.11;Ponce,18.01,-66.61
South Africa|0.5|1.2|Johannesburg,-26.20,28.05;Cape Town,-33.92,18.42;Durban,-29.86,31.02;Pretoria,-25.75,28.19;Gqeberha,-33.96,25.60;Bloemfontein,-29.09,26.16;Soweto,-26.27,27.86
Nigeria|0.3|0.2|Lagos,6.52,3.38;Ibadan,7.38,3.95;Abuja,9.08,7.40;Kano,12.00,8.52;Enugu,6.44,7.50;Port Harcourt,4.82,7.05
Kenya|0.3|0.3|Nairobi,-1.29,36.82;Kisumu,-0.09,34.77;Mombasa,-4.04,39.67;Eldoret,0.51,35.27;Kilifi,-3.63,39.85
Uganda|0.3|0.3|Kampala,0.35,32.58;Mbarara,-0.61,30.66;Gulu,2.78,32.30;Entebbe,0.05,32.46
Tanzania|0.2|0.2|Dar es Salaam,-6.79,39.21;Moshi,-3.35,37.34;Mwanza,-2.52,32.90;Dodoma,-6.16,35.75
Ghana|0.1|0.1|Accra,5.60,-0.19;Kumasi,6.69,-1.62;Tamale,9.40,-0.84
Ethiopia|0.2|0.1|Addis Ababa,9.03,38.74;Gondar,12.60,37.47;Jimma,7.67,36.83;Mekelle,13.50,39.47
Malawi|0.1|0.2|Blantyre,-15.79,35.01;Lilongwe,-13.96,33.79;Zomba,-15.39,35.32
Zambia|0.1|0.1|Lusaka,-15.39,28.32;Ndola,-12.97,28.64
Morocco|0.1|0.1|Casablanca,33.57,-7.59;Rabat,34.02,-6.84;Marrakech,31.63,-8.01;Fes,34.03,-5.00
Tunisia|0.3|0.1|Tunis,36.81,10.18;Sfax,34.74,10.76;Sousse,35.83,10.64;Monastir,35.78,10.83
Lebanon|0.2|0.1|Beirut,33.89,35.50;Tripoli,34.44,35.83
Jordan|0.1|0.1|Amman,31.95,35.93;Irbid,32.56,35.85
Qatar|0.1|0.1|Doha,25.29,51.53
United Arab Emirates|0.1|0.2|Dubai,25.20,55.27;Abu Dhabi,24.45,54.38;Sharjah,25.35,55.42
Bangladesh|0.3|0.1|Dhaka,23.81,90.41;Chittagong,22.36,91.78;Sylhet,24.89,91.87;Rajshahi,24.37,88.60
Nepal|0.1|0.05|Kathmandu,27.72,85.32;Pokhara,28.21,83.99;Dharan,26.81,87.28
Sri Lanka|0.1|0.05|Colombo,6.93,79.86;Kandy,7.29,80.63;Galle,6.03,80.22
Malaysia|0.4|0.8|Kuala Lumpur,3.14,101.69;George Town,5.41,100.33;Johor Bahru,1.49,103.74;Kota Kinabalu,5.98,116.07;Kuching,1.55,110.34
Vietnam|0.3|0.5|Hanoi,21.03,105.85;Ho Chi Minh City,10.82,106.63;Da Nang,16.05,108.20;Hue,16.46,107.59;Can Tho,10.05,105.75
Philippines|0.2|0.6|Manila,14.60,120.98;Quezon City,14.68,121.04;Cebu City,10.32,123.89;Davao City,7.19,125.46;Iloilo City,10.72,122.56
Indonesia|0.3|0.3|Jakarta,-6.21,106.85;Surabaya,-7.25,112.75;Bandung,-6.92,107.62;Yogyakarta,-7.80,110.36;Medan,3.60,98.67;Denpasar,-8.65,115.22
New Zealand|0.3|0.6|Auckland,-36.85,174.76;Wellington,-41.29,174.78;Christchurch,-43.53,172.64;Dunedin,-45.87,170.50;Hamilton,-37.79,175.28
Kazakhstan|0.1|0.1|Almaty,43.24,76.89;Astana,51.17,71.45
Georgia|0.1|0.4|Tbilisi,41.72,44.78;Batumi,41.64,41.64;Kutaisi,42.27,42.70
`;

interface City {
  name: string;
  lat: number;
  lon: number;
  state: string | undefined;
  country: string;
}

interface Country {
  name: string;
  homeWeight: number;
  siteWeight: number;
  cities: readonly City[];
  /** Earlier-listed (bigger) cities are chosen more often, as with real site networks. */
  cityTable: Weighted<City>;
}

const COUNTRIES: readonly Country[] = COUNTRY_DATA.trim()
  .split('\n')
  .map((line) => {
    const [name, home, site, cityList] = line.split('|');
    if (name === undefined || home === undefined || site === undefined || cityList === undefined) {
      throw new Error(`generator bug: bad country line ${line}`);
    }
    const cities = cityList.split(';').map((c): City => {
      const [cityName, lat, lon, state] = c.split(',');
      if (cityName === undefined || lat === undefined || lon === undefined) {
        throw new Error(`generator bug: bad city ${c}`);
      }
      return { name: cityName, lat: Number(lat), lon: Number(lon), state, country: name };
    });
    return {
      name,
      homeWeight: Number(home),
      siteWeight: Number(site),
      cities,
      cityTable: w(cities.map((c, i) => [c, 1 / Math.pow(i + 1, 0.8)] as const)),
    };
  });

const HOME_COUNTRY = w(COUNTRIES.map((c) => [c, c.homeWeight] as const));
const SITE_COUNTRY = w(COUNTRIES.map((c) => [c, c.siteWeight] as const));
function country(name: string): Country {
  const c = COUNTRIES.find((x) => x.name === name);
  if (c === undefined) throw new Error(`generator bug: unknown country ${name}`);
  return c;
}
const US = country('United States');

// ---- Sponsors (all invented)

interface Company {
  name: string;
  abbr: string;
  home: Country;
}

// prettier-ignore
const COMPANY_ROOTS = [
  'Aldermoor', 'Bellcrest', 'Corvalis', 'Dunmore', 'Elarion', 'Fenwick', 'Galvanta', 'Halcyra', 'Istera', 'Jorvane',
  'Kelsworth', 'Lumenor', 'Marisca', 'Norvelle', 'Orilon', 'Pemberly', 'Quorin', 'Rhydon', 'Sevanta', 'Tallis',
  'Ulvera', 'Verdane', 'Wexbridge', 'Xenara', 'Ysolde', 'Zephyra', 'Amberline', 'Brightwell', 'Cedarline',
  'Driftwood', 'Everpoint', 'Foxglove', 'Greyhaven', 'Harrowgate', 'Ivybridge', 'Kingsmere', 'Larkspur',
  'Moorfield', 'Nettlewood', 'Oakhurst', 'Pinecrest', 'Ravenmoor', 'Silverleaf', 'Thornbury', 'Wildmere',
];
// prettier-ignore
const COMPANY_SUFFIXES = [
  'Pharmaceuticals', 'Therapeutics', 'Biosciences', 'Pharma', 'Biotech', 'Medical', 'Laboratories', 'Biologics',
  'Life Sciences', 'Health',
];
/** Big pharma is concentrated in a few countries; the list order is the size order. */
// prettier-ignore
const COMPANY_HOMES = [
  'United States', 'United States', 'Switzerland', 'United Kingdom', 'Germany', 'United States', 'France', 'Japan',
  'United States', 'Denmark', 'China', 'Korea, Republic of', 'United States', 'Belgium', 'Israel', 'Netherlands',
  'United States', 'Canada', 'Australia', 'Sweden', 'India', 'United States', 'Italy', 'Spain', 'Taiwan',
];

const COMPANIES: readonly Company[] = COMPANY_ROOTS.map((root, i) => {
  const suffix = COMPANY_SUFFIXES[(i * 7) % COMPANY_SUFFIXES.length] ?? 'Pharma';
  return {
    name: `${root} ${suffix}`,
    abbr: root.slice(0, 3).toUpperCase(),
    home: country(COMPANY_HOMES[i % COMPANY_HOMES.length] ?? 'United States'),
  };
});
/** Zipf-like: a handful of companies sponsor most industry trials, as in the registry. */
const COMPANY_TABLE = w(COMPANIES.map((c, i) => [c, 1 / Math.pow(i + 1, 0.9)] as const));

// prettier-ignore
const NIH_INSTITUTES = [
  'National Institute of Cancer Research@oncology',
  'National Institute of Heart, Lung and Blood Research@cardiovascular,respiratory,hematology',
  'National Institute of Allergy and Infection Research@infectious,immunology',
  'National Institute of Mental Health Research@psychiatry', 'National Institute of Aging Research@neurology,musculoskeletal-pain',
  'National Institute of Neurological Research@neurology',
  'National Institute of Diabetes, Digestive and Kidney Research@metabolic,gastroenterology,nephrology-urology',
  'National Institute of Child Health Research@pediatrics-neonatal,womens-health',
  'National Eye Research Institute@ophthalmology', 'National Institute of Dental Research@dental',
  'National Institute of Skin and Joint Research@dermatology,musculoskeletal-pain,immunology',
  'National Institute of General Medical Research@surgery-anesthesia,healthy-volunteers',
];
// prettier-ignore
const FEDERAL_AGENCIES = [
  'Veterans Health Research Service', 'Federal Agency for Healthcare Quality', 'Defense Medical Research Program',
  'Federal Center for Disease Prevention',
];
// prettier-ignore
const NETWORKS = [
  'Northern Oncology Trials Group@oncology', 'Transatlantic Cardiology Network@cardiovascular',
  'Pediatric Oncology Consortium@oncology', 'Global Infectious Disease Trials Network@infectious',
  'Pan-European Rheumatology Network@immunology', 'Asia-Pacific Stroke Collaboration@neurology',
  'Critical Care Trials Group@infectious,respiratory,surgery-anesthesia', 'International Breast Cancer Research Group@oncology',
  'Lymphoma Research Alliance@oncology,hematology', 'Neonatal Research Network@pediatrics-neonatal',
  'Gynecologic Oncology Collaborative@oncology,womens-health', 'Mental Health Trials Network@psychiatry',
  'Diabetes Research Consortium@metabolic', 'Primary Care Research Network', 'International Clinical Trials Collaborative',
];
// Validate the area tags once at load, so a typo fails loudly instead of silently never matching.
for (const list of [...Object.values(NON_DRUG), NIH_INSTITUTES, NETWORKS]) {
  if (list !== undefined) for (const a of AREAS) forArea(list, a.key);
}

// prettier-ignore
const FIRST_NAMES = [
  'Amira', 'Benedikt', 'Carla', 'Daniel', 'Elif', 'Farhan', 'Grace', 'Hiroshi', 'Ines', 'Jonas', 'Kavya', 'Liam',
  'Maren', 'Nikhil', 'Olga', 'Pablo', 'Qing', 'Rosa', 'Samir', 'Tamara',
];
// prettier-ignore
const LAST_NAMES = [
  'Abernathy', 'Bergström', 'Castellano', 'Dimitrov', 'Eriksen', 'Farouk', 'Gallagher', 'Haddad', 'Ivanova',
  'Jankowski', 'Kowalczyk', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Petrakis', 'Quintero', 'Rahman',
  'Schreiber', 'Takahashi',
];
// prettier-ignore
const WHY_STOPPED = [
  'Slow accrual', 'Sponsor decision', 'Lack of funding', 'Business reasons', 'Futility at interim analysis',
  'Safety concerns', 'Principal investigator left the institution', 'Study drug supply issues',
  'Enrollment below target', 'Portfolio prioritization',
];
// prettier-ignore
const WHY_WITHDRAWN = [
  'No participants enrolled', 'Funding not obtained', 'Sponsor decision', 'Study not approved by ethics committee',
  'Feasibility', 'PI left the institution',
];

interface Sponsor {
  name: string;
  cls: CtgovAgencyClass;
  home: Country;
  abbr: string;
  /** Set for hospitals and universities, so their single-site studies are held at home. */
  city?: City;
}

// prettier-ignore
const LEAD_CLASS_DRUG = w<CtgovAgencyClass>([
  ['INDUSTRY', 46], ['OTHER', 44], ['NIH', 3], ['OTHER_GOV', 3], ['NETWORK', 2.5], ['FED', 1], ['INDIV', 0.5],
]);
// prettier-ignore
const LEAD_CLASS_NON_DRUG = w<CtgovAgencyClass>([
  ['OTHER', 78], ['INDUSTRY', 11], ['OTHER_GOV', 4.5], ['NIH', 2.5], ['NETWORK', 1.5], ['FED', 1.5], ['INDIV', 1],
]);
// prettier-ignore
const LEAD_CLASS_OBSERVATIONAL = w<CtgovAgencyClass>([
  ['OTHER', 76], ['INDUSTRY', 15], ['OTHER_GOV', 4], ['NIH', 2], ['NETWORK', 2], ['FED', 0.5], ['INDIV', 0.5],
]);
// prettier-ignore
const COLLABORATOR_CLASS = w<CtgovAgencyClass>([
  ['OTHER', 60], ['INDUSTRY', 20], ['NIH', 8], ['OTHER_GOV', 5], ['UNKNOWN', 5], ['NETWORK', 1.5], ['FED', 0.5],
]);

function academicName(rng: Rng, city: City, a: Area): string {
  return rng.choose([
    [`${city.name} University Hospital`, 24],
    [`University of ${city.name}`, 20],
    [`${city.name} Medical Center`, 14],
    [`${city.name} General Hospital`, 10],
    [`${city.name} ${a.centre}`, 12],
    [`${city.name} Institute of Medical Research`, 5],
    [`${city.name} Medical University`, 8],
    [`${city.name} Regional Hospital`, 7],
  ]);
}

function makeSponsor(rng: Rng, cls: CtgovAgencyClass, a: Area, home?: Country): Sponsor {
  switch (cls) {
    case 'INDUSTRY': {
      const c = COMPANY_TABLE.pick(rng);
      return { name: c.name, cls, home: c.home, abbr: c.abbr };
    }
    case 'NIH':
      return { name: rng.pick(forArea(NIH_INSTITUTES, a.key)), cls, home: US, abbr: 'NI' };
    case 'FED':
      return { name: rng.pick(FEDERAL_AGENCIES), cls, home: US, abbr: 'FED' };
    case 'NETWORK': {
      const name = rng.pick(forArea(NETWORKS, a.key));
      return { name, cls, home: home ?? HOME_COUNTRY.pick(rng), abbr: initials(name) };
    }
    case 'OTHER_GOV': {
      const h = home ?? HOME_COUNTRY.pick(rng);
      // The US has no health ministry; its OTHER_GOV sponsors are mostly state health departments.
      const state = h === US ? h.cityTable.pick(rng).state : undefined;
      const name =
        state !== undefined
          ? `${state} Department of Health`
          : rng.pick([
              `${h.name} Ministry of Health`,
              `${h.name} National Institute of Public Health`,
              `${h.name} Health Research Council`,
            ]);
      return { name, cls, home: h, abbr: 'GOV' };
    }
    case 'INDIV': {
      const name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
      return { name, cls, home: home ?? HOME_COUNTRY.pick(rng), abbr: initials(name) };
    }
    case 'UNKNOWN': {
      const h = home ?? HOME_COUNTRY.pick(rng);
      const city = h.cityTable.pick(rng);
      const name = rng.pick([
        `${city.name} Private Clinic`,
        `${city.name} Community Health Center`,
        `${city.name} Research Foundation`,
      ]);
      return { name, cls, home: h, abbr: 'UNK', city };
    }
    default: {
      const h = home ?? HOME_COUNTRY.pick(rng);
      const city = h.cityTable.pick(rng);
      const name = academicName(rng, city, a);
      return { name, cls: 'OTHER', home: h, abbr: initials(name), city };
    }
  }
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((p) => /^[A-Z]/.test(p))
    .map((p) => p.charAt(0))
    .join('')
    .slice(0, 5);
}

// =============================================================================================
// One study
// =============================================================================================

interface Profile {
  key:
    | 'NA'
    | 'EARLY_PHASE1'
    | 'PHASE1'
    | 'PHASE1/PHASE2'
    | 'PHASE2'
    | 'PHASE2/PHASE3'
    | 'PHASE3'
    | 'PHASE4'
    | 'OBS'
    | 'EA';
  phases: readonly CtgovPhase[];
  /** Median planned enrollment and planned months from start to primary completion. */
  enrollMedian: number;
  durationMonths: number;
  drug: boolean;
  label: string;
}

// prettier-ignore
const P_NA: Profile = { key: 'NA', phases: ['NA'], enrollMedian: 80, durationMonths: 18, drug: false, label: '' };
// prettier-ignore
const P_EARLY1: Profile = { key: 'EARLY_PHASE1', phases: ['EARLY_PHASE1'], enrollMedian: 20, durationMonths: 12, drug: true, label: 'Early Phase 1' };
// prettier-ignore
const P_1: Profile = { key: 'PHASE1', phases: ['PHASE1'], enrollMedian: 30, durationMonths: 16, drug: true, label: 'Phase 1' };
// prettier-ignore
const P_12: Profile = { key: 'PHASE1/PHASE2', phases: ['PHASE1', 'PHASE2'], enrollMedian: 50, durationMonths: 30, drug: true, label: 'Phase 1/2' };
// prettier-ignore
const P_2: Profile = { key: 'PHASE2', phases: ['PHASE2'], enrollMedian: 70, durationMonths: 28, drug: true, label: 'Phase 2' };
// prettier-ignore
const P_23: Profile = { key: 'PHASE2/PHASE3', phases: ['PHASE2', 'PHASE3'], enrollMedian: 250, durationMonths: 40, drug: true, label: 'Phase 2/3' };
// prettier-ignore
const P_3: Profile = { key: 'PHASE3', phases: ['PHASE3'], enrollMedian: 450, durationMonths: 40, drug: true, label: 'Phase 3' };
// prettier-ignore
const P_4: Profile = { key: 'PHASE4', phases: ['PHASE4'], enrollMedian: 150, durationMonths: 24, drug: true, label: 'Phase 4' };
// prettier-ignore
const P_OBS: Profile = { key: 'OBS', phases: [], enrollMedian: 250, durationMonths: 30, drug: false, label: '' };
// prettier-ignore
const P_EA: Profile = { key: 'EA', phases: [], enrollMedian: 0, durationMonths: 0, drug: true, label: '' };

/** Interventional phase mix, roughly the registry's. */
// prettier-ignore
const PHASE_TABLE = w<Profile>([
  [P_NA, 31], [P_EARLY1, 2.5], [P_1, 15], [P_12, 4.5], [P_2, 21], [P_23, 2.5], [P_3, 14], [P_4, 9.5],
]);

/** Registrations per year grow over time (jump in 2005 when journals began requiring them). */
// prettier-ignore
const YEAR_TABLE = w<number>([
  [2000, 0.6], [2001, 0.6], [2002, 0.7], [2003, 0.8], [2004, 1.0], [2005, 2.6], [2006, 2.4], [2007, 2.6],
  [2008, 3.0], [2009, 3.1], [2010, 3.2], [2011, 3.3], [2012, 3.4], [2013, 3.5], [2014, 3.6], [2015, 3.8],
  [2016, 4.0], [2017, 4.3], [2018, 4.5], [2019, 4.8], [2020, 5.2], [2021, 5.3], [2022, 5.4], [2023, 5.6],
  [2024, 5.8], [2025, 6.0], [2026, 3.5],
]);

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

function pickSubmitDay(rng: Rng): number {
  const year = YEAR_TABLE.pick(rng);
  const first = daysFromCivil(year, 1, 1);
  const last = Math.min(daysFromCivil(year, 12, 31), TODAY - 10);
  return rng.int(first, Math.max(first, last));
}

/** Age strings as the API writes them, singular for 1 ("1 Year", "1 Day"). */
function age(n: number, unit: 'Day' | 'Month' | 'Year'): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

function ageInYears(text: string): number {
  const [n, unit] = text.split(' ');
  const v = Number(n);
  if (unit?.startsWith('Day') === true) return v / 365;
  if (unit?.startsWith('Month') === true) return v / 12;
  return v;
}

type Masking = (typeof MASKINGS)[number];
type WhoMasked = (typeof WHO_MASKED)[number];
type PrimaryPurpose = (typeof PRIMARY_PURPOSES)[number];
type StdAge = (typeof STD_AGES)[number];

// prettier-ignore
const SITE_STATUS = w<CtgovLocationStatus>([
  ['RECRUITING', 72], ['NOT_YET_RECRUITING', 14], ['ACTIVE_NOT_RECRUITING', 6], ['WITHDRAWN', 4],
  ['COMPLETED', 2.5], ['SUSPENDED', 1], ['TERMINATED', 0.5],
]);

interface Named {
  type: CtgovInterventionType;
  name: string;
  otherNames?: string[];
}

/** Builds one study object for position `index` of the data set seeded by `seed`. */
export function generateStudy(index: number, seed: number): CtgovStudy {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_STUDIES) {
    throw new RangeError(`study index must be an integer in [0, ${MAX_STUDIES})`);
  }
  const rng = new Rng(studySeed(seed, index));
  // Increasing with the index (gaps of up to 97) keeps ids unique without any shared state.
  const nctId = `NCT${String(100_000 + index * 97 + rng.int(0, 96)).padStart(8, '0')}`;

  // ~1% "mega" trials: global phase 3 programmes and registries with 1,000+ sites.
  const mega = rng.chance(0.01);
  const typeRoll = rng.next();
  const studyType: CtgovStudyType = mega
    ? rng.chance(0.75)
      ? 'INTERVENTIONAL'
      : 'OBSERVATIONAL'
    : typeRoll < 0.77
      ? 'INTERVENTIONAL'
      : typeRoll < 0.99
        ? 'OBSERVATIONAL'
        : 'EXPANDED_ACCESS';
  const profile =
    studyType === 'OBSERVATIONAL'
      ? P_OBS
      : studyType === 'EXPANDED_ACCESS'
        ? P_EA
        : mega
          ? P_3
          : PHASE_TABLE.pick(rng);
  const early = profile === P_1 || profile === P_EARLY1;

  let a = AREA_TABLE.pick(rng);
  if (early && a.key !== 'oncology' && rng.chance(0.3)) a = area('healthy-volunteers');
  if (a.key === 'healthy-volunteers' && (studyType !== 'INTERVENTIONAL' || !profile.drug))
    a = area('cardiovascular');

  const leadClass: CtgovAgencyClass = mega
    ? rng.choose<CtgovAgencyClass>([
        ['INDUSTRY', 75],
        ['NETWORK', 12],
        ['NIH', 13],
      ])
    : studyType === 'OBSERVATIONAL'
      ? LEAD_CLASS_OBSERVATIONAL.pick(rng)
      : studyType === 'EXPANDED_ACCESS'
        ? rng.choose<CtgovAgencyClass>([
            ['INDUSTRY', 85],
            ['OTHER', 15],
          ])
        : profile.drug
          ? LEAD_CLASS_DRUG.pick(rng)
          : LEAD_CLASS_NON_DRUG.pick(rng);
  const lead = makeSponsor(rng, leadClass, a);
  const home = lead.home;

  // ---- Conditions
  const primaryCondition = pickCondition(rng, a);
  const conditionBucket = rng.choose([
    [1, 60],
    [2, 20],
    [3, 9],
    [4, 5],
    [5, 2.5],
    [6, 3.5],
  ]);
  const conditionCount = conditionBucket === 6 ? rng.int(6, 10) : conditionBucket;
  const conditions = [primaryCondition];
  for (let tries = 0; conditions.length < conditionCount && tries < 30; tries++) {
    const c = pickCondition(rng, rng.chance(0.75) ? a : AREA_TABLE.pick(rng));
    if (!conditions.includes(c)) conditions.push(c);
  }

  // ---- Dates and status, all relative to the fixed TODAY
  const submitted = pickSubmitDay(rng);
  const startOffset = rng.choose<[number, number]>([
    [[-30, 180], 60],
    [[-720, -30], 25],
    [[180, 420], 15],
  ]);
  const start = submitted + rng.int(startOffset[0], startOffset[1]);
  const plannedMonths = clamp(profile.durationMonths * rng.logNormal(1, 0.45), 2, 144) * (mega ? 1.2 : 1);
  const lateness = rng.choose<[number, number]>([
    [[0.85, 1.0], 45],
    [[1.0, 1.5], 35],
    [[1.5, 2.6], 20],
  ]);
  const realizedMonths = plannedMonths * rng.uniform(lateness[0], lateness[1]);
  const tailMonths = rng.choose<[number, number]>([
    [[0, 0], 45],
    [[1, 6], 25],
    [[6, 36], 30],
  ]);
  const tail = months(rng.uniform(tailMonths[0], tailMonths[1]));
  const target = mega
    ? rng.int(3000, 30000)
    : clamp(
        Math.round(rng.logNormal(profile.enrollMedian, studyType === 'OBSERVATIONAL' ? 1.3 : 0.9)),
        1,
        100_000,
      );

  let status: CtgovOverallStatus;
  let lastKnownStatus: CtgovOverallStatus | undefined;
  let whyStopped: string | undefined;
  let startType: CtgovDateType = 'ACTUAL';
  let pc = start + months(plannedMonths);
  let pcType: CtgovDateType = 'ESTIMATED';
  let comp = pc + tail;
  let compType: CtgovDateType = 'ESTIMATED';
  let enrollCount = target;
  let enrollType: CtgovDateType = 'ESTIMATED';
  let lastUpdate: number;
  const end = start + months(realizedMonths);

  if (studyType === 'EXPANDED_ACCESS') {
    status = rng.choose<CtgovOverallStatus>([
      ['AVAILABLE', 35],
      ['NO_LONGER_AVAILABLE', 35],
      ['APPROVED_FOR_MARKETING', 20],
      ['TEMPORARILY_NOT_AVAILABLE', 10],
    ]);
    lastUpdate = rng.int(submitted, TODAY - 5);
  } else if (!mega && rng.chance(0.025)) {
    // Halted before the first participant: enrollment 0 ACTUAL, dates never became actual.
    status = 'WITHDRAWN';
    whyStopped = rng.pick(WHY_WITHDRAWN);
    startType = 'ESTIMATED';
    enrollCount = 0;
    enrollType = 'ACTUAL';
    lastUpdate = Math.max(submitted, Math.min(start, TODAY) - rng.int(0, 60)) + rng.int(30, 720);
  } else if (start >= TODAY) {
    status = 'NOT_YET_RECRUITING';
    startType = 'ESTIMATED';
    lastUpdate = rng.int(submitted, TODAY - 5);
  } else if (end >= TODAY) {
    // Still running: estimates have been pushed to the realised end, except a few stale ones
    // that are already overdue (an estimated date in the past).
    const f = (TODAY - start) / (end - start);
    status =
      f < 0.75
        ? rng.choose<CtgovOverallStatus>([
            ['RECRUITING', 86],
            ['ENROLLING_BY_INVITATION', 8],
            ['ACTIVE_NOT_RECRUITING', 3],
            ['SUSPENDED', 3],
          ])
        : rng.choose<CtgovOverallStatus>([
            ['ACTIVE_NOT_RECRUITING', 60],
            ['RECRUITING', 35],
            ['ENROLLING_BY_INVITATION', 3],
            ['SUSPENDED', 2],
          ]);
    pc = end;
    if (rng.chance(0.06) && start + months(plannedMonths) < TODAY) pc = start + months(plannedMonths);
    comp = Math.max(pc, end) + tail;
    if (status === 'SUSPENDED') whyStopped = rng.pick(WHY_STOPPED);
    if (status === 'ACTIVE_NOT_RECRUITING' && rng.chance(0.8)) {
      enrollCount = Math.max(1, Math.round(target * rng.uniform(0.7, 1.15)));
      enrollType = 'ACTUAL';
    }
    lastUpdate = TODAY - rng.int(5, 300);
  } else {
    const compEnd = end + tail;
    if (compEnd >= TODAY) {
      status = rng.chance(0.9) ? 'ACTIVE_NOT_RECRUITING' : 'TERMINATED';
    } else {
      const x = rng.next();
      const old = end < TODAY - Math.round(2.5 * YEAR);
      status = x < 0.11 ? 'TERMINATED' : old && x < 0.25 ? 'UNKNOWN' : 'COMPLETED';
    }
    switch (status) {
      case 'ACTIVE_NOT_RECRUITING':
        pc = end;
        pcType = 'ACTUAL';
        comp = compEnd;
        enrollCount = Math.max(1, Math.round(target * rng.uniform(0.7, 1.15)));
        enrollType = 'ACTUAL';
        lastUpdate = TODAY - rng.int(5, 400);
        break;
      case 'TERMINATED': {
        const stop = start + Math.round((end - start) * rng.uniform(0.1, 0.9));
        pc = stop;
        pcType = 'ACTUAL';
        comp = Math.min(stop + rng.int(0, 90), TODAY - 5);
        compType = 'ACTUAL';
        whyStopped = rng.pick(WHY_STOPPED);
        enrollCount = rng.chance(0.12) ? 0 : Math.max(1, Math.round(target * rng.uniform(0.05, 0.8)));
        enrollType = 'ACTUAL';
        lastUpdate = comp + rng.int(30, 540);
        break;
      }
      case 'UNKNOWN': {
        // Not verified for 2+ years: the record still shows its last (estimated) plan.
        lastKnownStatus = rng.choose<CtgovOverallStatus>([
          ['RECRUITING', 70],
          ['ACTIVE_NOT_RECRUITING', 20],
          ['NOT_YET_RECRUITING', 10],
        ]);
        if (lastKnownStatus === 'NOT_YET_RECRUITING') startType = 'ESTIMATED';
        lastUpdate = Math.min(
          start + months(plannedMonths * rng.uniform(0.1, 0.8)),
          TODAY - 2 * YEAR - rng.int(30, 1500),
        );
        break;
      }
      default:
        pc = end;
        pcType = 'ACTUAL';
        comp = compEnd;
        compType = 'ACTUAL';
        enrollCount = rng.chance(0.004) ? 0 : Math.max(1, Math.round(target * rng.uniform(0.55, 1.25)));
        enrollType = 'ACTUAL';
        lastUpdate = comp + rng.int(20, 700);
    }
  }

  let hasResults = false;
  if ((status === 'COMPLETED' || status === 'TERMINATED') && pc < TODAY - YEAR && enrollCount > 0) {
    const sponsorReports = lead.cls === 'INDUSTRY' || lead.cls === 'NIH' || lead.cls === 'FED';
    const p =
      studyType === 'OBSERVATIONAL' ? 0.02 : !profile.drug ? 0.12 : early ? 0.15 : sponsorReports ? 0.6 : 0.2;
    hasResults = rng.chance(p);
    if (hasResults) lastUpdate = Math.max(lastUpdate, pc + rng.int(365, 500));
  }
  lastUpdate = clamp(lastUpdate, submitted, TODAY - 5);

  // Month-only dates were the norm before the 2017 final rule; untyped start dates before ~2011.
  const monthPrecision = rng.chance(submitted < FINAL_RULE ? 0.75 : 0.1);
  const fmt = monthPrecision ? fmtMonth : fmtDay;
  const dateStruct = (day: number, type: CtgovDateType, untyped = false): CtgovDateStruct =>
    untyped ? { date: fmt(day) } : { date: fmt(day), type };
  const untypedEra = submitted < UNTYPED_ERA_END;

  const statusModule: CtgovStatusModule = {
    statusVerifiedDate: fmtMonth(lastUpdate),
    overallStatus: status,
  };
  if (lastKnownStatus !== undefined) statusModule.lastKnownStatus = lastKnownStatus;
  if (whyStopped !== undefined) statusModule.whyStopped = whyStopped;
  if (studyType !== 'EXPANDED_ACCESS') {
    statusModule.startDateStruct = dateStruct(start, startType, untypedEra && rng.chance(0.5));
    statusModule.primaryCompletionDateStruct = dateStruct(pc, pcType, untypedEra && rng.chance(0.1));
    statusModule.completionDateStruct = dateStruct(comp, compType, untypedEra && rng.chance(0.1));
  }
  statusModule.studyFirstSubmitDate = fmtDay(submitted);
  statusModule.studyFirstSubmitQcDate = fmtDay(Math.min(submitted + rng.int(0, 20), TODAY - 5));
  statusModule.studyFirstPostDateStruct = {
    date: fmtDay(Math.min(submitted + rng.int(1, 25), TODAY - 1)),
    type: submitted < FINAL_RULE ? 'ESTIMATED' : 'ACTUAL',
  };
  if (hasResults) {
    statusModule.resultsFirstSubmitDate = fmtDay(Math.min(pc + rng.int(300, 365), lastUpdate));
  }
  statusModule.lastUpdateSubmitDate = fmtDay(lastUpdate);
  statusModule.lastUpdatePostDateStruct = { date: fmtDay(lastUpdate + rng.int(1, 4)), type: 'ACTUAL' };

  // ---- Design
  let allocation: CtgovDesignInfo['allocation'];
  let interventionModel: CtgovDesignInfo['interventionModel'];
  let masking: Masking = 'NONE';
  if (studyType === 'INTERVENTIONAL') {
    interventionModel = profile.drug
      ? early
        ? rng.choose<NonNullable<CtgovDesignInfo['interventionModel']>>([
            ['SINGLE_GROUP', 50],
            ['SEQUENTIAL', 22],
            ['PARALLEL', 15],
            ['CROSSOVER', 13],
          ])
        : profile === P_3 || profile === P_23
          ? rng.choose<NonNullable<CtgovDesignInfo['interventionModel']>>([
              ['PARALLEL', 90],
              ['SINGLE_GROUP', 5],
              ['FACTORIAL', 2],
              ['CROSSOVER', 3],
            ])
          : rng.choose<NonNullable<CtgovDesignInfo['interventionModel']>>([
              ['PARALLEL', 55],
              ['SINGLE_GROUP', 35],
              ['CROSSOVER', 5],
              ['SEQUENTIAL', 3],
              ['FACTORIAL', 2],
            ])
      : rng.choose<NonNullable<CtgovDesignInfo['interventionModel']>>([
          ['PARALLEL', 60],
          ['SINGLE_GROUP', 28],
          ['CROSSOVER', 8],
          ['FACTORIAL', 2],
          ['SEQUENTIAL', 2],
        ]);
    switch (interventionModel) {
      case 'SINGLE_GROUP':
        allocation = rng.chance(0.9) ? 'NA' : undefined;
        break;
      case 'SEQUENTIAL':
        allocation = rng.chance(0.8) ? 'NON_RANDOMIZED' : 'RANDOMIZED';
        break;
      case 'PARALLEL':
        allocation = rng.chance(0.85) ? 'RANDOMIZED' : 'NON_RANDOMIZED';
        break;
      default:
        allocation = rng.chance(0.9) ? 'RANDOMIZED' : 'NON_RANDOMIZED';
    }
    masking =
      allocation === 'RANDOMIZED'
        ? profile.drug
          ? rng.choose<Masking>([
              ['NONE', 30],
              ['SINGLE', 10],
              ['DOUBLE', 20],
              ['TRIPLE', 12],
              ['QUADRUPLE', 28],
            ])
          : rng.choose<Masking>([
              ['NONE', 50],
              ['SINGLE', 25],
              ['DOUBLE', 12],
              ['TRIPLE', 6],
              ['QUADRUPLE', 7],
            ])
        : rng.chance(0.92)
          ? 'NONE'
          : 'SINGLE';
  }
  const randomized = allocation === 'RANDOMIZED';
  const blinded = masking === 'DOUBLE' || masking === 'TRIPLE' || masking === 'QUADRUPLE';

  // ---- Interventions
  const interventions: Named[] = [];
  const comparator = rng.pick(a.comparators);
  let control: 'placebo' | 'active' | 'usual' | 'none' = 'none';
  if (studyType === 'EXPANDED_ACCESS') {
    const name =
      lead.cls === 'INDUSTRY' && rng.chance(0.4)
        ? `${lead.abbr}-${rng.int(100, 9999)}`
        : rng.pick(inventedDrugs(a));
    interventions.push({ type: drugType(name), name });
  } else if (studyType === 'OBSERVATIONAL') {
    if (rng.chance(0.55)) {
      if (rng.chance(0.35)) {
        const name = rng.chance(0.5) ? rng.pick(inventedDrugs(a)) : comparator;
        interventions.push({ type: drugType(name), name });
      } else {
        const [type, name] = rng.pick(OBSERVATIONAL_INTERVENTIONS);
        interventions.push({ type, name });
      }
      if (rng.chance(0.3)) {
        const [type, name] = rng.pick(OBSERVATIONAL_INTERVENTIONS);
        if (!interventions.some((i) => i.name === name)) interventions.push({ type, name });
      }
    }
  } else if (profile.drug) {
    const special = rng.next();
    if (a.key === 'oncology' && special < 0.08) {
      interventions.push(nonDrug(rng, 'BIOLOGICAL', a));
    } else if (a.key === 'infectious' && special < 0.25) {
      interventions.push(nonDrug(rng, 'BIOLOGICAL', a));
    } else if (special > 0.99) {
      interventions.push(nonDrug(rng, 'GENETIC', a));
    } else if (lead.cls === 'INDUSTRY' && (early || profile === P_12) && rng.chance(0.45)) {
      const generic = rng.pick(inventedDrugs(a));
      interventions.push({
        type: drugType(generic),
        name: `${lead.abbr}-${rng.int(100, 9999)}`,
        otherNames: [generic],
      });
    } else if (profile === P_4 ? rng.chance(0.8) : rng.chance(0.22)) {
      interventions.push({ type: 'DRUG', name: comparator });
    } else {
      const name = rng.pick(inventedDrugs(a));
      interventions.push({ type: drugType(name), name });
    }
    if (randomized && blinded && rng.chance(0.75)) {
      control = 'placebo';
      interventions.push({ type: 'DRUG', name: rng.pick(['Placebo', 'Placebo', 'Matching Placebo']) });
    } else if (randomized && rng.chance(0.55)) {
      control = 'active';
      const alt = rng.pick(a.comparators);
      if (!interventions.some((i) => i.name === alt)) interventions.push({ type: 'DRUG', name: alt });
    }
    if (a.key === 'oncology' && rng.chance(0.25)) {
      const chemo = rng.pick(a.comparators);
      if (!interventions.some((i) => i.name === chemo)) interventions.push({ type: 'DRUG', name: chemo });
    }
    if (a.key === 'oncology' && rng.chance(0.05)) interventions.push(nonDrug(rng, 'RADIATION', a));
    if (rng.chance(0.04)) {
      const extra = nonDrug(rng, 'PROCEDURE', a);
      if (!interventions.some((i) => i.name === extra.name)) interventions.push(extra);
    }
  } else {
    const type = rng.choose<CtgovInterventionType>([
      ['DEVICE', 25],
      ['BEHAVIORAL', 25],
      ['PROCEDURE', 20],
      ['OTHER', 9],
      ['DIAGNOSTIC_TEST', 7],
      ['DIETARY_SUPPLEMENT', 8],
      [a.key === 'oncology' ? 'RADIATION' : 'PROCEDURE', 4],
      ['COMBINATION_PRODUCT', 1],
      ['DRUG', 1],
    ]);
    const main = type === 'DRUG' ? { type, name: comparator } : nonDrug(rng, type, a);
    interventions.push(main);
    if (randomized) {
      if (blinded && main.type === 'DEVICE') {
        control = 'placebo';
        interventions.push({ type: 'DEVICE', name: 'Sham Device' });
      } else if (rng.chance(0.55)) {
        control = 'usual';
        const controls = ['Usual Care', 'Standard of Care', 'Waitlist Control', 'Health Education'].filter(
          (c) => c !== main.name,
        );
        interventions.push({ type: 'OTHER', name: rng.pick(controls) });
      }
    }
    if (rng.chance(0.15)) {
      const extra = nonDrug(
        rng,
        rng.pick<CtgovInterventionType>(['BEHAVIORAL', 'OTHER', 'DEVICE', 'DIETARY_SUPPLEMENT']),
        a,
      );
      if (!interventions.some((i) => i.name === extra.name)) interventions.push(extra);
    }
  }
  const primaryIntervention = interventions[0]?.name ?? primaryCondition;
  const secondIntervention = interventions[1]?.name;

  // ---- Sites
  const sites = buildSites(rng, { mega, lead, profile, studyType, status, a, home });

  // ---- Eligibility
  let sex: 'ALL' | 'FEMALE' | 'MALE';
  if (FEMALE_CONDITIONS.has(primaryCondition))
    sex = primaryCondition.includes('Breast') && rng.chance(0.1) ? 'ALL' : 'FEMALE';
  else if (MALE_CONDITIONS.has(primaryCondition)) sex = 'MALE';
  else
    sex = rng.choose<'ALL' | 'FEMALE' | 'MALE'>([
      ['ALL', 96],
      ['FEMALE', 2.5],
      ['MALE', 1.5],
    ]);
  const pediatric = a.key === 'pediatrics-neonatal' || (rng.chance(0.05) && a.key !== 'healthy-volunteers');
  const minimumAge = pediatric
    ? rng.choose<string>([
        [age(1, 'Day'), 10],
        [age(7, 'Day'), 5],
        [age(1, 'Month'), 8],
        [age(6, 'Month'), 10],
        [age(1, 'Year'), 12],
        [age(2, 'Year'), 15],
        [age(6, 'Year'), 20],
        [age(12, 'Year'), 20],
      ])
    : rng.choose<string>([
        [age(18, 'Year'), 72],
        [age(20, 'Year'), 3],
        [age(19, 'Year'), 2],
        [age(40, 'Year'), 5],
        [age(50, 'Year'), 5],
        [age(60, 'Year'), 3],
        [age(65, 'Year'), 3],
        [age(12, 'Year'), 3],
        [age(16, 'Year'), 2],
      ]);
  const maximumAge = pediatric
    ? rng.choose<string | undefined>([
        [age(28, 'Day'), 5],
        [age(1, 'Year'), 10],
        [age(17, 'Year'), 50],
        [age(18, 'Year'), 25],
        [undefined, 10],
      ])
    : rng.chance(0.45)
      ? undefined
      : rng.choose<string>([
          [age(65, 'Year'), 30],
          [age(75, 'Year'), 25],
          [age(80, 'Year'), 20],
          [age(85, 'Year'), 10],
          [age(70, 'Year'), 10],
          [age(55, 'Year'), 5],
        ]);
  const minYears = ageInYears(minimumAge);
  const maxYears = maximumAge === undefined ? 200 : ageInYears(maximumAge);
  const stdAges: StdAge[] = [];
  if (minYears < 18) stdAges.push('CHILD');
  if (maxYears >= 18 && minYears < 65) stdAges.push('ADULT');
  if (maxYears >= 65) stdAges.push('OLDER_ADULT');
  const healthy =
    a.key === 'healthy-volunteers'
      ? true
      : early
        ? rng.chance(0.35)
        : studyType === 'OBSERVATIONAL'
          ? rng.chance(0.2)
          : rng.chance(0.05);
  const eligibility: CtgovEligibilityModule = {
    eligibilityCriteria:
      `Inclusion Criteria:\n\n* ${healthy && a.key === 'healthy-volunteers' ? 'Healthy participant' : `Confirmed diagnosis of ${primaryCondition}`}\n* Age ${minimumAge} or older\n* Able to provide written informed consent\n\n` +
      `Exclusion Criteria:\n\n* Participation in another interventional study within 30 days\n* ${sex === 'MALE' ? 'Known hypersensitivity to the study treatment' : 'Pregnancy or breastfeeding'}`,
  };
  if (!rng.chance(0.03)) eligibility.healthyVolunteers = healthy;
  eligibility.sex = sex;
  if (!rng.chance(0.02)) eligibility.minimumAge = minimumAge;
  if (maximumAge !== undefined) eligibility.maximumAge = maximumAge;
  eligibility.stdAges = stdAges;

  // ---- Outcomes
  const outcomePool = a.outcomes;
  const primaryCount = rng.choose([
    [1, 65],
    [2, 18],
    [3, 9],
    [4, 5],
    [6, 3],
  ]);
  const secondaryCount = rng.choose([
    [0, 20],
    [rng.int(1, 3), 35],
    [rng.int(4, 8), 35],
    [rng.int(9, 20), 10],
  ]);
  const otherCount = rng.chance(0.12) ? rng.int(1, 4) : 0;
  const primaryMeasures =
    early && studyType === 'INTERVENTIONAL'
      ? rng.sample(
          [...area('healthy-volunteers').outcomes, 'Number of Participants With Dose-Limiting Toxicities'],
          primaryCount,
        )
      : rng.sample(outcomePool, primaryCount);
  const restPool = [...outcomePool, ...GENERIC_OUTCOMES].filter((m) => !primaryMeasures.includes(m));
  const others = rng.sample(restPool, secondaryCount + otherCount);
  const outcome = (measure: string): CtgovOutcome =>
    rng.chance(0.97) ? { measure, timeFrame: rng.pick(TIME_FRAMES) } : { measure };
  const outcomesModule: CtgovOutcomesModule = { primaryOutcomes: primaryMeasures.map(outcome) };
  const secondary = others.slice(0, secondaryCount);
  const other = others.slice(secondaryCount);
  if (secondary.length > 0) outcomesModule.secondaryOutcomes = secondary.map(outcome);
  if (other.length > 0) outcomesModule.otherOutcomes = other.map(outcome);

  // ---- Titles and summary (assembled from the same vocabulary, so search finds conditions)
  const pop =
    a.key === 'healthy-volunteers'
      ? 'Healthy Adult Participants'
      : pediatric
        ? rng.pick(['Children', 'Infants and Children', 'Pediatric Patients'])
        : sex === 'FEMALE'
          ? rng.pick(['Women', 'Patients', 'Participants'])
          : rng.choose<string>([
              ['Adults', 30],
              ['Patients', 30],
              ['Participants', 30],
              ['Older Adults', 5],
              ['Adolescents and Adults', 5],
            ]);
  const popLower = pop.charAt(0) + pop.slice(1).toLowerCase();
  const d = primaryIntervention;
  const timeFrameWeeks = rng.pick([4, 8, 12, 16, 24, 26, 48, 52]);
  const primaryMeasure = primaryMeasures[0] ?? 'safety';
  let briefTitle: string;
  let officialTitle: string;
  let summary: string;
  const siteWord = sites.length > 1 ? ` at ${sites.length} sites` : '';
  if (studyType === 'EXPANDED_ACCESS') {
    briefTitle = rng.pick([
      `Expanded Access Program for ${d} in ${primaryCondition}`,
      `Compassionate Use of ${d} in ${pop} With ${primaryCondition}`,
      `Expanded Access to ${d}`,
    ]);
    officialTitle = `Expanded Access Protocol for ${d} in ${pop} With ${primaryCondition}`;
    summary = `This program provides access to ${d} for ${popLower.toLowerCase()} with ${primaryCondition} who are not eligible for a clinical trial and have no satisfactory alternative treatment.`;
  } else if (studyType === 'OBSERVATIONAL') {
    const drugName = interventions.find((i) => i.type === 'DRUG' || i.type === 'BIOLOGICAL')?.name;
    briefTitle = rng.choose<string>([
      [`${primaryCondition} Registry`, 15],
      [`A Prospective Cohort Study of ${pop} With ${primaryCondition}`, 20],
      [
        drugName !== undefined
          ? `Real-World Outcomes of ${drugName} in ${primaryCondition}`
          : `Outcomes of ${primaryCondition} in Routine Care`,
        15,
      ],
      [`Biomarkers of ${primaryCondition} Progression`, 15],
      [`Genetic Risk Factors for ${primaryCondition}`, 10],
      [`Long-term Follow-up of ${pop} With ${primaryCondition} in ${home.name}`, 15],
      [`Prevalence of ${primaryCondition} in ${home.name}`, 10],
    ]);
    officialTitle = `An Observational Study of ${pop} With ${primaryCondition}: ${primaryMeasure}`;
    summary =
      `This observational study will follow ${popLower.toLowerCase()} with ${primaryCondition}${sites.length > 1 ? '' : ` in ${home.name}`} ` +
      `to describe ${primaryMeasure.toLowerCase()}. No treatment is assigned by the study; data are collected during routine care. ` +
      `About ${target} participants will be included${siteWord}.`;
  } else if (profile.drug) {
    const comp = interventions.find((i, k) => k > 0 && i.type === 'DRUG')?.name;
    const templates: (readonly [string, number])[] =
      a.key === 'healthy-volunteers'
        ? [
            [`Pharmacokinetics of ${d} in Healthy Volunteers`, 30],
            [`Bioequivalence Study of Two Formulations of ${d}`, 20],
            [`Effect of ${comparator} on the Pharmacokinetics of ${d} in Healthy Participants`, 20],
            [`Safety and Tolerability of ${d} in Healthy Adult Participants`, 30],
          ]
        : early
          ? [
              [`A Study of ${d} in ${pop} With ${primaryCondition}`, 35],
              [`Safety, Tolerability, and Pharmacokinetics of ${d} in ${pop} With ${primaryCondition}`, 30],
              [`First-in-Human Study of ${d} in ${primaryCondition}`, 15],
              [
                `Dose-Escalation Study of ${d} in Advanced ${primaryCondition}`,
                a.key === 'oncology' ? 20 : 0,
              ],
            ]
          : [
              [`Efficacy and Safety of ${d} in ${pop} With ${primaryCondition}`, 30],
              [`A Study of ${d} in ${pop} With ${primaryCondition}`, 25],
              [
                comp !== undefined && comp !== 'Placebo' && comp !== 'Matching Placebo'
                  ? `${d} Versus ${comp} in ${primaryCondition}`
                  : `${d} Versus Placebo in ${primaryCondition}`,
                control === 'none' ? 0 : 15,
              ],
              [
                secondIntervention !== undefined
                  ? `${d} Plus ${secondIntervention} for ${primaryCondition}`
                  : `${d} for ${primaryCondition}`,
                8,
              ],
              [`${d} for the Treatment of ${primaryCondition}`, 15],
              [`Long-term Safety of ${d} in ${primaryCondition}`, profile === P_3 || profile === P_4 ? 7 : 0],
            ];
    briefTitle = rng.choose(templates);
    const aim = early
      ? 'Safety, Tolerability, and Pharmacokinetics'
      : profile === P_4
        ? 'Effectiveness and Safety'
        : 'Efficacy and Safety';
    const designWords = [
      profile.label,
      randomized ? 'Randomized' : allocation === 'NON_RANDOMIZED' ? 'Non-randomized' : 'Single-arm',
      masking === 'NONE' ? 'Open-label' : masking === 'SINGLE' ? 'Single-blind' : 'Double-blind',
      control === 'placebo' ? 'Placebo-controlled' : control === 'active' ? 'Active-controlled' : '',
      sites.length > 1 ? 'Multicenter' : '',
    ].filter((x) => x !== '');
    officialTitle = `A ${designWords.join(', ')} Study to Evaluate the ${aim} of ${d} in ${pop} With ${primaryCondition}`;
    summary =
      `The purpose of this ${profile.label.toLowerCase() || 'clinical'} study is to evaluate the ${aim.toLowerCase()} of ${d} in ${popLower.toLowerCase()} with ${primaryCondition}. ` +
      (randomized && comp !== undefined
        ? `Participants will be randomly assigned to receive ${d} or ${comp} for ${timeFrameWeeks} weeks. `
        : `Participants will receive ${d} for ${timeFrameWeeks} weeks. `) +
      `The primary outcome is ${primaryMeasure}. About ${target} participants will be enrolled${siteWord}.`;
  } else {
    briefTitle = rng.choose<string>([
      [`${d} for ${primaryCondition}`, 30],
      [`Effect of ${d} in ${pop} With ${primaryCondition}`, 25],
      [
        control === 'usual'
          ? `${d} Compared With Usual Care in ${primaryCondition}`
          : `${d} in ${primaryCondition}`,
        20,
      ],
      [`A Pilot Study of ${d} in ${primaryCondition}`, 10],
      [`${d} to Improve Outcomes After ${primaryCondition}`, 5],
      [`${d} and ${secondIntervention ?? 'Standard of Care'} in ${pop} With ${primaryCondition}`, 10],
    ]);
    officialTitle = randomized
      ? `A Randomized Controlled Trial of ${d} in ${pop} With ${primaryCondition}`
      : `A Prospective Study of ${d} in ${pop} With ${primaryCondition}`;
    summary =
      `This study will test whether ${d.toLowerCase()} improves ${primaryMeasure.toLowerCase()} in ${popLower.toLowerCase()} with ${primaryCondition}. ` +
      (randomized
        ? `Participants will be randomly assigned to ${d.toLowerCase()} or ${(secondIntervention ?? 'usual care').toLowerCase()}. `
        : `All participants will receive ${d.toLowerCase()}. `) +
      `About ${target} participants will be enrolled${siteWord}.`;
  }

  // ---- Assemble, in the API's module order
  const identificationModule: CtgovProtocolSection['identificationModule'] = {
    nctId,
    orgStudyIdInfo: {
      id:
        lead.cls === 'INDUSTRY'
          ? `${lead.abbr}-${rng.int(100, 9999)}-${rng.int(101, 399)}`
          : `${lead.abbr || 'ORG'}-${civilFromDays(submitted)[0]}-${String(rng.int(1, 9999)).padStart(4, '0')}`,
    },
    organization: { fullName: lead.name, class: lead.cls },
    briefTitle,
  };
  if (!rng.chance(0.02)) identificationModule.officialTitle = officialTitle;

  const leadSponsor: CtgovSponsor = rng.chance(0.002)
    ? { class: lead.cls }
    : { name: lead.name, class: lead.cls };
  const collaboratorCount = mega
    ? rng.int(0, 2)
    : rng.choose([
        [0, 62],
        [1, 22],
        [2, 8],
        [3, 4],
        [rng.int(4, 8), 4],
      ]);
  const collaborators: CtgovSponsor[] = [];
  for (let tries = 0; collaborators.length < collaboratorCount && tries < 20; tries++) {
    const c = makeSponsor(rng, COLLABORATOR_CLASS.pick(rng), a, rng.chance(0.6) ? home : undefined);
    if (c.name !== lead.name && !collaborators.some((x) => x.name === c.name))
      collaborators.push({ name: c.name, class: c.cls });
  }
  const sponsorModule: CtgovProtocolSection['sponsorCollaboratorsModule'] = {
    responsibleParty: {
      type:
        lead.cls === 'INDIV'
          ? 'SPONSOR_INVESTIGATOR'
          : lead.cls === 'OTHER' && rng.chance(0.6)
            ? 'PRINCIPAL_INVESTIGATOR'
            : 'SPONSOR',
    },
    leadSponsor,
  };
  if (collaborators.length > 0) sponsorModule.collaborators = collaborators;

  const conditionsModule: CtgovConditionsModule = { conditions: conditions.slice(0, conditionCount) };

  const designModule: CtgovDesignModule = { studyType };
  if (studyType === 'INTERVENTIONAL') {
    designModule.phases = [...profile.phases];
    const designInfo: CtgovDesignInfo = {};
    if (allocation !== undefined) designInfo.allocation = allocation;
    if (interventionModel !== undefined) designInfo.interventionModel = interventionModel;
    const purpose = primaryPurpose(rng, profile, a, interventions);
    if (purpose !== undefined) designInfo.primaryPurpose = purpose;
    designInfo.maskingInfo =
      masking === 'NONE' ? { masking } : { masking, whoMasked: whoMasked(rng, masking) };
    designModule.designInfo = designInfo;
  } else if (studyType === 'OBSERVATIONAL') {
    designModule.designInfo = {
      observationalModel: rng.choose<NonNullable<CtgovDesignInfo['observationalModel']>>([
        ['COHORT', 60],
        ['CASE_CONTROL', 10],
        ['CASE_ONLY', 10],
        ['OTHER', 10],
        ['CASE_CROSSOVER', 1],
        ['ECOLOGIC_OR_COMMUNITY', 2],
        ['FAMILY_BASED', 1],
        ['DEFINED_POPULATION', 3],
        ['NATURAL_HISTORY', 3],
      ]),
      timePerspective: rng.choose<NonNullable<CtgovDesignInfo['timePerspective']>>([
        ['PROSPECTIVE', 65],
        ['RETROSPECTIVE', 22],
        ['CROSS_SECTIONAL', 10],
        ['OTHER', 3],
      ]),
    };
  } else {
    designModule.expandedAccessTypes = rng.chance(0.5)
      ? { individual: true }
      : { intermediate: true, treatment: true };
  }
  if (studyType !== 'EXPANDED_ACCESS' && !rng.chance(0.005))
    designModule.enrollmentInfo = { count: enrollCount, type: enrollType };

  const armsModule: CtgovArmsInterventionsModule = {
    interventions: interventions.map((i): CtgovIntervention =>
      i.otherNames === undefined
        ? { type: i.type, name: i.name }
        : { type: i.type, name: i.name, otherNames: i.otherNames },
    ),
  };

  const contactsModule: CtgovContactsLocationsModule = {};
  if (sites.length > 0) contactsModule.locations = sites;

  // Rare absent modules, as in partial and older records.
  const drop = rng.next();
  const protocolSection: CtgovProtocolSection = {
    identificationModule,
    statusModule,
    sponsorCollaboratorsModule: sponsorModule,
  };
  if (drop >= 0.007) protocolSection.descriptionModule = { briefSummary: summary };
  if (drop < 0.007 || drop >= 0.014) protocolSection.conditionsModule = conditionsModule;
  protocolSection.designModule = designModule;
  if (interventions.length > 0 && !(drop >= 0.014 && drop < 0.021))
    protocolSection.armsInterventionsModule = armsModule;
  if (studyType !== 'EXPANDED_ACCESS' && !(drop >= 0.021 && drop < 0.028))
    protocolSection.outcomesModule = outcomesModule;
  if (!(drop >= 0.028 && drop < 0.035)) protocolSection.eligibilityModule = eligibility;
  if (!(sites.length === 0 && rng.chance(0.5))) protocolSection.contactsLocationsModule = contactsModule;

  return { protocolSection, hasResults };
}

function primaryPurpose(
  rng: Rng,
  profile: Profile,
  a: Area,
  interventions: readonly Named[],
): PrimaryPurpose | undefined {
  if (rng.chance(0.03)) return undefined;
  if (interventions.some((i) => i.name.endsWith('Vaccine') || i.name.endsWith('Vaccine Candidate')))
    return 'PREVENTION';
  if (a.key === 'healthy-volunteers')
    return rng.choose<PrimaryPurpose>([
      ['BASIC_SCIENCE', 40],
      ['OTHER', 20],
      ['TREATMENT', 40],
    ]);
  if (profile.drug) {
    return rng.choose<PrimaryPurpose>([
      ['TREATMENT', 80],
      ['PREVENTION', 8],
      ['SUPPORTIVE_CARE', 5],
      ['BASIC_SCIENCE', 3],
      ['DIAGNOSTIC', 2],
      ['OTHER', 2],
    ]);
  }
  return rng.choose<PrimaryPurpose>([
    ['TREATMENT', 45],
    ['SUPPORTIVE_CARE', 15],
    ['PREVENTION', 10],
    ['OTHER', 8],
    ['DIAGNOSTIC', 6],
    ['HEALTH_SERVICES_RESEARCH', 5],
    ['SCREENING', 4],
    ['BASIC_SCIENCE', 4],
    ['DEVICE_FEASIBILITY', 3],
  ]);
}

function whoMasked(rng: Rng, masking: Masking): WhoMasked[] {
  switch (masking) {
    case 'SINGLE':
      return [rng.chance(0.5) ? 'PARTICIPANT' : 'OUTCOMES_ASSESSOR'];
    case 'DOUBLE':
      return rng.chance(0.7) ? ['PARTICIPANT', 'INVESTIGATOR'] : ['PARTICIPANT', 'OUTCOMES_ASSESSOR'];
    case 'TRIPLE':
      return ['PARTICIPANT', 'CARE_PROVIDER', 'INVESTIGATOR'];
    case 'QUADRUPLE':
      return ['PARTICIPANT', 'CARE_PROVIDER', 'INVESTIGATOR', 'OUTCOMES_ASSESSOR'];
    default:
      return [];
  }
}

interface SiteContext {
  mega: boolean;
  lead: Sponsor;
  profile: Profile;
  studyType: CtgovStudyType;
  status: CtgovOverallStatus;
  a: Area;
  home: Country;
}

/** Typical median site counts of multi-site studies by lead sponsor class and phase. */
function medianSites(ctx: SiteContext): number {
  if (ctx.lead.cls === 'INDUSTRY') {
    switch (ctx.profile.key) {
      case 'PHASE3':
        return 70;
      case 'PHASE2/PHASE3':
        return 50;
      case 'PHASE2':
        return 22;
      case 'PHASE1/PHASE2':
        return 10;
      case 'PHASE1':
        return 4;
      case 'EARLY_PHASE1':
        return 2;
      case 'OBS':
        return 25;
      default:
        return 12;
    }
  }
  if (ctx.lead.cls === 'NETWORK' || ctx.lead.cls === 'NIH' || ctx.lead.cls === 'FED') return 20;
  return ctx.studyType === 'OBSERVATIONAL' ? 6 : 5;
}

function buildSites(rng: Rng, ctx: SiteContext): CtgovLocation[] {
  let count: number;
  if (ctx.mega) count = rng.int(1000, 1600);
  else if (ctx.studyType === 'EXPANDED_ACCESS') count = rng.int(0, 3);
  else if (rng.chance(0.04)) count = 0;
  else {
    const singleP =
      ctx.lead.cls === 'INDUSTRY'
        ? ctx.profile === P_1 || ctx.profile === P_EARLY1
          ? 0.35
          : 0.15
        : ctx.lead.cls === 'NETWORK' || ctx.lead.cls === 'NIH' || ctx.lead.cls === 'FED'
          ? 0.3
          : 0.68;
    count = rng.chance(singleP) ? 1 : clamp(Math.round(rng.logNormal(medianSites(ctx), 0.9)), 2, 700);
  }
  if (count === 0) return [];

  // Countries: single-country unless industry/network trials go multinational.
  const multinational =
    ctx.mega ||
    (count > 3 &&
      (ctx.lead.cls === 'INDUSTRY' || ctx.lead.cls === 'NETWORK' ? rng.chance(0.7) : rng.chance(0.15)));
  const countries: Country[] = [ctx.home];
  if (multinational) {
    const wanted = ctx.mega
      ? rng.int(20, 45)
      : Math.min(count, 1 + Math.floor(rng.logNormal(ctx.lead.cls === 'INDUSTRY' ? 6 : 2, 0.7)));
    for (let tries = 0; countries.length < wanted && tries < wanted * 6; tries++) {
      const c = SITE_COUNTRY.pick(rng);
      if (!countries.includes(c)) countries.push(c);
    }
  }

  // Global programmes spread sites thinly; smaller studies stay mostly in the sponsor's country.
  const homeShare = ctx.mega ? 0.08 : 0.3;
  const withStatus = ctx.status === 'RECRUITING';
  const industry = ctx.lead.cls === 'INDUSTRY';
  const sites: CtgovLocation[] = new Array<CtgovLocation>(count);
  for (let i = 0; i < count; i++) {
    const c = i === 0 || rng.chance(homeShare) ? ctx.home : rng.pick(countries);
    let city: City;
    let facility: string | undefined;
    if (i === 0 && ctx.lead.city !== undefined && c === ctx.home) {
      // An academic sponsor runs (at least) its first site itself.
      city = ctx.lead.city;
      facility = ctx.lead.name;
    } else {
      city = c.cityTable.pick(rng);
      facility =
        industry && (ctx.mega || rng.chance(0.25))
          ? rng.choose<string>([
              ['Research Site', 55],
              [`Investigational Site Number ${rng.int(100, 999)}`, 25],
              [`${city.name} Clinical Research Center`, 20],
            ])
          : rng.choose<string>([
              [`${city.name} General Hospital`, 18],
              [`${city.name} University Hospital`, 22],
              [`${city.name} Medical Center`, 15],
              [`${city.name} Clinical Research Center`, 10],
              [`${city.name} ${ctx.a.centre}`, 15],
              [`${city.name} Regional Hospital`, 8],
              [`Clinical Research Unit ${city.name}`, 5],
              [`${rng.pick(LAST_NAMES)} Clinical Research`, 7],
            ]);
    }
    const site: CtgovLocation = {};
    if (!rng.chance(0.03)) site.facility = facility;
    if (withStatus) site.status = SITE_STATUS.pick(rng);
    site.city = city.name;
    if (city.state !== undefined) site.state = city.state;
    site.country = city.country;
    if (!rng.chance(0.04)) site.geoPoint = { lat: city.lat, lon: city.lon };
    sites[i] = site;
  }
  return sites;
}

// =============================================================================================
// Many studies
// =============================================================================================

export interface GenerateStudiesOptions {
  /** How many studies to produce. */
  count: number;
  seed: number;
  /** Index of the first study (default 0); lets callers generate a data set in slices. */
  start?: number;
}

/**
 * Lazily yields `count` studies. A generator, not an array: 50,000 studies with their sites
 * would hold hundreds of MB if materialised, and the database builder streams them.
 */
export function* generateStudies(options: GenerateStudiesOptions): Generator<CtgovStudy, void, undefined> {
  const start = options.start ?? 0;
  if (!Number.isInteger(options.count) || options.count < 0)
    throw new RangeError('count must be a non-negative integer');
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new RangeError('seed must be an integer in [0, 4294967295]');
  }
  if (!Number.isInteger(start) || start < 0 || start + options.count > MAX_STUDIES) {
    throw new RangeError(`start + count must stay within ${MAX_STUDIES} studies`);
  }
  for (let i = start; i < start + options.count; i++) yield generateStudy(i, options.seed);
}
