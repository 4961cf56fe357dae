import { z } from 'zod';
import { byteSize, IDENTIFIER } from './project.schema.js';

/**
 * `uploads/*.yaml`: an upload target — which table of which source an organisation's file fills, the
 * columns it must have and the rules each value must pass, how a file is merged (replace, append,
 * upsert on the key), and the limits. The reference for docs/uploads.md. Table and column names
 * written here reach SQL as identifiers, so they are held to the project's strict pattern; nothing
 * from an uploaded file ever becomes an identifier.
 */

const identifier = z
  .string()
  .regex(IDENTIFIER, 'must be a plain identifier (letters, digits, _; not starting with a digit)');

/** Column types an upload can declare (DuckDB names; the seam's IngestColumnType). */
export const UPLOAD_COLUMN_TYPES = [
  'VARCHAR',
  'INTEGER',
  'BIGINT',
  'DOUBLE',
  'BOOLEAN',
  'DATE',
  'TIMESTAMP',
] as const;
export type UploadColumnType = (typeof UPLOAD_COLUMN_TYPES)[number];

export const UPLOAD_FORMATS = ['csv', 'tsv', 'xlsx', 'json', 'ndjson', 'parquet'] as const;
export type UploadFormat = (typeof UPLOAD_FORMATS)[number];

export const UPLOAD_MODES = ['replace', 'append', 'upsert'] as const;
export type UploadMode = (typeof UPLOAD_MODES)[number];

/** Only editors and admins write data; a viewer never uploads, whatever the file says. */
const uploaderRole = z.enum(['editor', 'admin']);

const columnDef = z.strictObject({
  type: z.enum(UPLOAD_COLUMN_TYPES),
  /** A blank or missing value fails the row. */
  required: z.boolean().default(false),
  /** The value must be one of these (compared as text after trimming). */
  allowed: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .min(1)
    .max(1000)
    .optional(),
  /** Inclusive bounds: numbers for numeric columns, 'YYYY-MM-DD' for dates. */
  min: z.union([z.number(), z.string()]).optional(),
  max: z.union([z.number(), z.string()]).optional(),
  /** A regular expression the whole text value must match. */
  pattern: z.string().max(500).optional(),
  /** Characters, for text columns. */
  max_length: z.number().int().positive().max(1_000_000).optional(),
  /** The header in the file when it differs from the column name (matched case-insensitively). */
  header: z.string().min(1).max(200).optional(),
});
export type UploadColumnDef = z.infer<typeof columnDef>;

const limits = z.strictObject({
  bytes: byteSize.default('256MB'),
  rows: z.number().int().positive().max(100_000_000).default(1_000_000),
  columns: z.number().int().positive().max(2000).default(200),
  cell_bytes: byteSize.default('64KB'),
});

export const uploadFile = z
  .strictObject({
    title: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    /** The least role that may upload to this target. */
    role: uploaderRole.default('editor'),
    /** The source (trellis.yaml `sources:`) that holds the table. */
    target: identifier,
    table: identifier,
    /** Trellis adds this column and fills it with the uploader's organisation; never declare it. */
    tenant_column: identifier,
    columns: z
      .record(identifier, columnDef)
      .refine((c) => Object.keys(c).length > 0, 'declare at least one column'),
    /** The unique key: duplicates in a file are reported; `upsert` merges on it. */
    key: z.array(identifier).max(8).default([]),
    mode: z.enum(UPLOAD_MODES).default('replace'),
    formats: z
      .array(z.enum(UPLOAD_FORMATS))
      .min(1)
      .default([...UPLOAD_FORMATS]),
    limits: limits.default({ bytes: '256MB', rows: 1_000_000, columns: 200, cell_bytes: '64KB' }),
    /** Columns in the file that are not declared: refuse the file, or leave them out. */
    extra_columns: z.enum(['reject', 'ignore']).default('reject'),
    /** Invalid rows: refuse the whole file, or import the valid rows when at most `max_share` are invalid. */
    invalid_rows: z
      .strictObject({
        action: z.enum(['reject', 'skip']).default('reject'),
        max_share: z.number().min(0).max(1).default(0),
      })
      .default({ action: 'reject', max_share: 0 }),
    /** Versions kept for rollback (the served one included). */
    keep_versions: z.number().int().min(1).max(100).default(10),
    /**
     * Up to `exact_rows` data rows the profile is exact; above, distinct counts, quartiles (so the
     * outlier fences) and which values are the most frequent are estimated in bounded memory, and the
     * profile says so. Duplicate rows and keys are always exact (they decide validation).
     */
    profile: z
      .strictObject({ exact_rows: z.number().int().min(0).max(100_000_000).default(200_000) })
      .default({ exact_rows: 200_000 }),
  })
  .superRefine((u, ctx) => {
    if (u.mode === 'upsert' && u.key.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: 'mode upsert merges on the key: declare `key`',
      });
    if (u.invalid_rows.action === 'reject' && u.invalid_rows.max_share > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['invalid_rows', 'max_share'],
        message: 'max_share applies to action: skip (reject refuses any invalid row)',
      });
  });
export type UploadFile = z.infer<typeof uploadFile>;
