import type { UploadProfile } from '../../../../contract/uploads.schema.js';
import type { UploadTarget } from '../../../config/project/upload.types.js';
import type { ScratchValue } from '../../scratch-database.js';
import type { DuckDBScratch } from './duckdb-scratch.js';
import type { FileRelation } from './duckdb-upload-relation.js';

/** Top values kept per column. */
export const TOP_VALUES = 5;

const NUMERIC = new Set([
  'INTEGER',
  'BIGINT',
  'DOUBLE',
  'TINYINT',
  'SMALLINT',
  'HUGEINT',
  'FLOAT',
  'DECIMAL',
]);

/**
 * The profile of every column of the file, computed in SQL by DuckDB over the scratch table the file
 * was read into (never rows in JavaScript): nulls, distinct values, min/max/mean, top values, IQR
 * outliers; duplicate rows and duplicate keys; and one quality score (docs/uploads.md says how).
 * A column is profiled as a number when its declared type is numeric or, for an extra column, when
 * every non-blank value casts to DOUBLE.
 */
export async function profileFile(
  db: DuckDBScratch,
  rel: FileRelation,
  target: UploadTarget,
): Promise<UploadProfile> {
  const declaredAt = new Map<number, (typeof rel.columns)[number]['column']>();
  for (const c of rel.columns) if (c.position !== null) declaredAt.set(c.position, c.column);
  const x = rel.textColumns;
  const basics = x.length
    ? x.map(
        (c, p) =>
          `count(*) FILTER (WHERE ${c} IS NULL) AS n${p}, count(DISTINCT ${c}) AS d${p}, ` +
          `count(${c}) FILTER (WHERE TRY_CAST(${c} AS DOUBLE) IS NULL) AS nn${p}, ` +
          `min(${c}) AS lo${p}, max(${c}) AS hi${p}, min(TRY_CAST(${c} AS DOUBLE)) AS nlo${p}, ` +
          `max(TRY_CAST(${c} AS DOUBLE)) AS nhi${p}, avg(TRY_CAST(${c} AS DOUBLE)) AS mean${p}, ` +
          `quantile_cont(TRY_CAST(${c} AS DOUBLE), [0.25, 0.75]) AS q${p}`,
      )
    : [];
  const typedChecks = rel.columns.flatMap(({ position }, i) =>
    position === null ? [] : [`count(v${i}) FILTER (WHERE t${i} IS NULL) AS bad${i}`],
  );
  const head = (
    await db.all(
      `SELECT count(*) AS total${[...basics, ...typedChecks].map((s) => `, ${s}`).join('')} FROM v`,
      [],
    )
  )[0] ?? { total: 0 };
  const total = Number(head.total ?? 0);
  const numeric = x.map((_, p) => {
    const declared = declaredAt.get(p);
    if (declared) return NUMERIC.has(declared.type);
    return total > 0 && Number(head[`nn${p}`]) === 0 && Number(head[`n${p}`]) < total;
  });

  // Everything per column comes from three scans of the table in all: the head above, the IQR
  // outliers of the numeric columns (their fences bound), and the top values of every column.
  const fences = x.map((_, p) => {
    const q = head[`q${p}`] as unknown;
    if (!numeric[p] || !Array.isArray(q) || q[0] === null || q[1] === null) return null;
    const [q1, q3] = [Number(q[0]), Number(q[1])];
    return { lo: q1 - 1.5 * (q3 - q1), hi: q3 + 1.5 * (q3 - q1) };
  });
  const fenced = fences.flatMap((f, p) => (f ? [{ p, f }] : []));
  const outliers = fenced.length
    ? ((
        await db.all(
          `SELECT ${fenced
            .map(
              ({ p }, k) =>
                `count(*) FILTER (WHERE TRY_CAST(${x[p]} AS DOUBLE) < $${2 * k + 1} OR TRY_CAST(${x[p]} AS DOUBLE) > $${2 * k + 2}) AS o${p}`,
            )
            .join(', ')} FROM v`,
          [...fenced.flatMap(({ f }) => [f.lo, f.hi])],
        )
      )[0] ?? {})
    : {};
  const top = x.length
    ? await db.all(
        `SELECT p, value, n FROM (
             SELECT p, value, count(*) AS n FROM (
               SELECT unnest([${x.map((_, p) => p).join(', ')}]) AS p, unnest([${x.join(', ')}]) AS value FROM v)
             WHERE value IS NOT NULL GROUP BY p, value)
           QUALIFY row_number() OVER (PARTITION BY p ORDER BY n DESC, value) <= ${TOP_VALUES}
           ORDER BY p, n DESC, value`,
        [],
      )
    : [];

  const columns: UploadProfile['columns'] = x.map((_, p) => {
    const declared = declaredAt.get(p);
    const mean = head[`mean${p}`];
    return {
      header: rel.headers[p] ?? '',
      column: declared?.name ?? null,
      kind: numeric[p] ? 'number' : 'text',
      nulls: Number(head[`n${p}`] ?? 0),
      nullShare: total ? Number(head[`n${p}`] ?? 0) / total : 0,
      distinct: Number(head[`d${p}`] ?? 0),
      // Numbers as numbers ("450000", not DuckDB's DOUBLE text "450000.0").
      min: numeric[p] ? numberText(head[`nlo${p}`]) : text(head[`lo${p}`]),
      max: numeric[p] ? numberText(head[`nhi${p}`]) : text(head[`hi${p}`]),
      mean: numeric[p] && mean !== null && mean !== undefined ? Number(mean) : null,
      outliers: numeric[p] ? Number(outliers[`o${p}`] ?? 0) : null,
      top: top.filter((t) => Number(t.p) === p).map((t) => ({ value: String(t.value), count: Number(t.n) })),
    };
  });

  const all = x.length ? x.join(', ') : 'NULL';
  const dupRows = Number(
    (
      await db.all(
        `SELECT coalesce(sum(n - 1), 0) AS d FROM (SELECT count(*) AS n FROM v GROUP BY ${all} HAVING count(*) > 1)`,
        [],
      )
    )[0]?.d ?? 0,
  );
  const keyIdx = target.key.map((k) => rel.columns.findIndex((c) => c.column.name === k));
  const keyed = keyIdx.length > 0 && keyIdx.every((i) => i >= 0 && rel.columns[i]?.position !== null);
  const dupKeys = keyed
    ? Number(
        (
          await db.all(
            `SELECT coalesce(sum(n - 1), 0) AS d FROM (SELECT count(*) AS n FROM v
               WHERE ${keyIdx.map((i) => `v${i} IS NOT NULL`).join(' AND ')}
               GROUP BY ${keyIdx.map((i) => `v${i}`).join(', ')} HAVING count(*) > 1)`,
            [],
          )
        )[0]?.d ?? 0,
      )
    : null;

  // Quality: the mean of four shares, each 0..1 — filled declared cells, declared cells whose value
  // casts to its type, rows that are no duplicate, keys that are no duplicate — as 0..100.
  const present = rel.columns.flatMap((c, i) => (c.position === null ? [] : [{ i, p: c.position }]));
  const cells = total * present.length;
  const filled = cells ? 1 - present.reduce((s, { p }) => s + Number(head[`n${p}`] ?? 0), 0) / cells : 1;
  const nonNull = present.reduce((s, { p }) => s + total - Number(head[`n${p}`] ?? 0), 0);
  const typed = nonNull ? 1 - present.reduce((s, { i }) => s + Number(head[`bad${i}`] ?? 0), 0) / nonNull : 1;
  const uniqueRows = total ? 1 - dupRows / total : 1;
  const uniqueKeys = total && dupKeys !== null ? 1 - dupKeys / total : 1;
  const coverage = rel.missing.length ? 1 - rel.missing.length / Math.max(1, target.columns.length) : 1;
  const score = Math.round(100 * coverage * ((filled + typed + uniqueRows + uniqueKeys) / 4));
  return {
    rows: total,
    columns,
    duplicateRows: dupRows,
    duplicateKeys: dupKeys,
    missing: [...rel.missing],
    extra: [...rel.extra],
    quality: { score, filled, typed, uniqueRows, uniqueKeys },
  };
}

function numberText(v: ScratchValue | undefined): string | null {
  return v === null || v === undefined ? null : String(Number(v));
}

function text(v: ScratchValue | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}
