import { TrellisError } from '../../errors.js';
import type { IngestColumnType } from '../ingest-writer.js';
import {
  VersionSchemaError,
  type RowsFileReader,
  type VersionCell,
  type VersionMode,
  type VersionWriter,
  type VersionedTable,
} from '../version-writer.js';

/** The pointer table, shared by every upload target of the database (one row per target and tenant). */
export const POINTER_TABLE = '_trellis_upload_current';
const VERSION_COLUMN = '_trellis_version';

type Rows = readonly (readonly VersionCell[])[];

/** One connection of a server engine's driver, as the writer uses it. Values are always bound. */
export interface VersionConnection {
  query(sql: string, params?: readonly VersionCell[]): Promise<Record<string, unknown>[]>;
  /**
   * Puts every row of `batches`, each followed by the values of `tail` (the tenant and the version:
   * the same for every row, so never copied into each row), into `table` (the columns in order) by the
   * engine's bulk path, inside the open transaction (PostgreSQL: COPY FROM STDIN; MySQL: multi-row
   * INSERTs of bound values). Batches are pulled one at a time. Returns the rows loaded.
   */
  bulkLoad(
    table: string,
    columns: readonly string[],
    batches: AsyncIterable<Rows>,
    tail: readonly VersionCell[],
  ): Promise<number>;
  /** The batch size that suits `bulkLoad` for rows of `width` values. */
  batchRows(width: number): number;
  close(): Promise<void>;
}

/** What differs between PostgreSQL and MySQL in the writer's statements (each engine's folder supplies it). */
export interface VersionFlavour {
  quote(identifier: string): string;
  /** The placeholder for the `n`-th bound value (1-based). */
  placeholder(n: number): string;
  /** A bound integer in a SELECT list, where the server cannot infer its type from a column. */
  intParam(n: number): string;
  /** A string literal (the view's text cannot take bound values; only the validated target id goes there). */
  literal(value: string): string;
  ddlType(type: IngestColumnType): string;
  /** information_schema `data_type` names that hold `type` (lower case). */
  storedAs(type: IngestColumnType): readonly string[];
  /** `name`, `type` of the columns of the relation named by placeholder 1, in the current schema, in order. */
  readonly columnsOf: string;
  /** `kind` ('BASE TABLE' or 'VIEW') of the relation named by placeholder 1 in the current schema. */
  readonly relationKind: string;
  /** The tenant column's and the pointer table's text type (indexable). */
  readonly keyText: string;
  /** CREATE TABLE (and its index) of a new storage table; `columns` are `name type` definitions. */
  createStorage(storage: string, columns: readonly string[], index: string): readonly string[];
  /** Statements that (re)define the view: run together in a short transaction of their own. */
  defineView(view: string, select: string): readonly string[];
  readonly begin: string;
}

/**
 * The VersionWriter (version-writer.ts) on a database server, written once for PostgreSQL and MySQL.
 * Same design as DuckDB's: one storage table `<table>__versions` (tagged with the tenant and
 * `_trellis_version`), the pointer table, and `<table>` a view of the rows the pointer names.
 *
 * A session is ONE transaction: `open` prepares the tables and the view first (DDL: MySQL commits
 * it implicitly, so it must precede the transaction), then begins; every import, retention and
 * switch runs inside it, `publish` commits (readers see the old version or the new, never a mix), and
 * `close` without `publish` rolls back — a failure mid-load leaves nothing behind.
 */
export class ServerVersionWriter implements VersionWriter {
  private finished = false;

  private constructor(
    private readonly conn: VersionConnection,
    private readonly f: VersionFlavour,
    private readonly spec: VersionedTable,
    private readonly readRows: RowsFileReader,
  ) {}

  static async open(
    conn: VersionConnection,
    flavour: VersionFlavour,
    spec: VersionedTable,
    readRows: RowsFileReader,
  ): Promise<ServerVersionWriter> {
    const writer = new ServerVersionWriter(conn, flavour, spec, readRows);
    try {
      await writer.prepare();
      await conn.query(flavour.begin);
      return writer;
    } catch (err) {
      await conn.close();
      throw err;
    }
  }

  private get storageName(): string {
    return `${this.spec.table}__versions`;
  }
  private get storage(): string {
    return this.f.quote(this.storageName);
  }
  private get tenant(): string {
    return this.f.quote(this.spec.tenantColumn);
  }

  /** The storage table (created, columns added, types checked), the pointer table and the view. */
  private async prepare(): Promise<void> {
    const { f, spec } = this;
    const kind = await this.conn.query(f.relationKind, [spec.table]);
    if (kind.some((r) => String(r['kind']).toUpperCase() === 'BASE TABLE'))
      throw new VersionSchemaError(`table ${spec.table} already exists and is not an upload's view`);
    const wanted = [
      ...spec.columns.map((c) => ({ name: c.name, ddl: f.ddlType(c.type), stored: f.storedAs(c.type) })),
      { name: spec.tenantColumn, ddl: f.keyText, stored: f.storedAs('VARCHAR') },
      { name: VERSION_COLUMN, ddl: f.ddlType('INTEGER'), stored: f.storedAs('INTEGER') },
    ];
    const have = await this.conn.query(f.columnsOf, [this.storageName]);
    if (have.length === 0)
      for (const statement of f.createStorage(
        this.storage,
        wanted.map((c) => `${f.quote(c.name)} ${c.ddl}`),
        f.quote(`${this.storageName}_tv`),
      ))
        await this.conn.query(statement);
    else {
      const got = new Map(have.map((c) => [String(c['name']), String(c['type']).toLowerCase()]));
      for (const c of wanted) {
        const type = got.get(c.name);
        if (type === undefined)
          await this.conn.query(`ALTER TABLE ${this.storage} ADD COLUMN ${f.quote(c.name)} ${c.ddl}`);
        else if (!c.stored.includes(type))
          throw new VersionSchemaError(
            `column ${c.name} of ${spec.table} is ${type} in the database; the upload declares ${c.ddl}`,
          );
      }
    }
    await this.conn.query(
      `CREATE TABLE IF NOT EXISTS ${f.quote(POINTER_TABLE)} (target ${f.keyText} NOT NULL, tenant ${f.keyText} NOT NULL, version ${f.ddlType('INTEGER')} NOT NULL, PRIMARY KEY (target, tenant))`,
    );
    // The view is redefined only when its columns differ (a column added): readers are not blocked otherwise.
    const viewColumns = (await this.conn.query(f.columnsOf, [spec.table])).map((r) => String(r['name']));
    const wantedView = [...spec.columns.map((c) => c.name), spec.tenantColumn];
    if (viewColumns.join('\u0000') !== wantedView.join('\u0000')) {
      const statements = f.defineView(f.quote(spec.table), this.viewSelect());
      for (const statement of statements) await this.conn.query(statement);
    }
  }

  private viewSelect(): string {
    const { f, spec } = this;
    const names = spec.columns.map((c) => `s.${f.quote(c.name)}`).join(', ');
    // The target id is a project file name (validated), the only literal in the view's text.
    return `SELECT ${names}, s.${this.tenant} FROM ${this.storage} AS s
      WHERE EXISTS (SELECT 1 FROM ${f.quote(POINTER_TABLE)} AS p WHERE p.target = ${f.literal(spec.target)}
                    AND p.tenant = s.${this.tenant} AND p.version = s.${VERSION_COLUMN})`;
  }

  async importVersion(tenant: string, version: number, mode: VersionMode, rowsFile: string): Promise<number> {
    const { f, spec } = this;
    const current = await this.currentVersion(tenant);
    // Rows a committed session left under this number while the store did not record it (a crash
    // between the two) would otherwise be counted twice.
    await this.deleteVersion(tenant, version);
    const columns = [...spec.columns.map((c) => c.name), spec.tenantColumn, VERSION_COLUMN];
    const batches = this.readRows(rowsFile, spec.columns, this.conn.batchRows(columns.length));
    await this.conn.bulkLoad(this.storage, columns.map(f.quote), batches, [tenant, version]);
    if (current !== null && current !== version && mode !== 'replace') {
      const keep = spec.columns.map((c) => `s.${f.quote(c.name)}`).join(', ');
      const notReplaced =
        mode === 'upsert'
          ? ` AND NOT EXISTS (SELECT 1 FROM ${this.storage} AS n WHERE n.${this.tenant} = s.${this.tenant} AND n.${VERSION_COLUMN} = ${f.placeholder(4)} AND ${spec.key
              .map((k) => `n.${f.quote(k)} = s.${f.quote(k)}`)
              .join(' AND ')})`
          : '';
      await this.conn.query(
        `INSERT INTO ${this.storage} (${columns.map(f.quote).join(', ')})
         SELECT ${keep}, s.${this.tenant}, ${f.intParam(1)} FROM ${this.storage} AS s
         WHERE s.${this.tenant} = ${f.placeholder(2)} AND s.${VERSION_COLUMN} = ${f.placeholder(3)}${notReplaced}`,
        mode === 'upsert' ? [version, tenant, current, version] : [version, tenant, current],
      );
    }
    await this.point(tenant, version);
    return this.count(tenant, version);
  }

  async switchTo(tenant: string, version: number): Promise<boolean> {
    const any = await this.conn.query(
      `SELECT 1 AS one FROM ${this.storage} WHERE ${this.tenant} = ${this.f.placeholder(1)} AND ${VERSION_COLUMN} = ${this.f.placeholder(2)} LIMIT 1`,
      [tenant, version],
    );
    if (any.length === 0) return false;
    await this.point(tenant, version);
    return true;
  }

  async removeVersions(tenant: string, versions: readonly number[]): Promise<void> {
    const current = await this.currentVersion(tenant);
    for (const v of versions) if (v !== current && Number.isInteger(v)) await this.deleteVersion(tenant, v);
  }

  async currentVersion(tenant: string): Promise<number | null> {
    const { f } = this;
    const r = await this.conn.query(
      `SELECT version FROM ${f.quote(POINTER_TABLE)} WHERE target = ${f.placeholder(1)} AND tenant = ${f.placeholder(2)}`,
      [this.spec.target, tenant],
    );
    const v = r[0]?.['version'];
    return v === undefined || v === null ? null : Number(v);
  }

  async count(tenant: string, version: number): Promise<number> {
    const r = await this.conn.query(
      `SELECT count(*) AS n FROM ${this.storage} WHERE ${this.tenant} = ${this.f.placeholder(1)} AND ${VERSION_COLUMN} = ${this.f.placeholder(2)}`,
      [tenant, version],
    );
    return Number(r[0]?.['n'] ?? 0);
  }

  /** Commits the session's transaction: every change becomes visible at once. */
  async publish(): Promise<void> {
    if (this.finished) throw new Error('version writer: the session is already finished');
    await this.conn.query('COMMIT');
    this.finished = true;
  }

  /** Rolls back what was not published, and closes the connection. */
  async close(): Promise<void> {
    try {
      if (!this.finished) {
        this.finished = true;
        await this.conn.query('ROLLBACK');
      }
    } catch {
      // A broken connection has no transaction left to roll back: the server discarded it.
    } finally {
      await this.conn.close();
    }
  }

  private async deleteVersion(tenant: string, version: number): Promise<void> {
    await this.conn.query(
      `DELETE FROM ${this.storage} WHERE ${this.tenant} = ${this.f.placeholder(1)} AND ${VERSION_COLUMN} = ${this.f.placeholder(2)}`,
      [tenant, version],
    );
  }

  private async point(tenant: string, version: number): Promise<void> {
    const { f } = this;
    const pointer = f.quote(POINTER_TABLE);
    await this.conn.query(
      `DELETE FROM ${pointer} WHERE target = ${f.placeholder(1)} AND tenant = ${f.placeholder(2)}`,
      [this.spec.target, tenant],
    );
    await this.conn.query(
      `INSERT INTO ${pointer} (target, tenant, version) VALUES (${f.placeholder(1)}, ${f.placeholder(2)}, ${f.placeholder(3)})`,
      [this.spec.target, tenant, version],
    );
  }
}

/**
 * A server that cannot be reached when the session opens: SOURCE_UNAVAILABLE (503), as for queries,
 * rather than an internal error. The driver's message names the host, never the URL's password.
 */
export function sourceUnreachable(engine: string, err: unknown): TrellisError {
  const message = err instanceof Error ? err.message : String(err);
  return new TrellisError('SOURCE_UNAVAILABLE', {
    message: `${engine} cannot be reached for the upload: ${message}`,
    detail: { error: message },
    cause: err,
  });
}
