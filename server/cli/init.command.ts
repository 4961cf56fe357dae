import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import {
  IDENTIFIER,
  serverSourceFor,
  sourceConfig,
  type SourceConfig,
} from '../config/project/project.schema.js';
import { closeEngines, importFilesIntoDuckDB, type FileTable } from '../query/engines/index.js';
import { SourceIntrospector, type TableInfo } from './init/introspect-source.js';
import { scaffoldProject, type ScaffoldPlan, type ScaffoldTable } from './init/scaffold-project.js';
import { loadVerifiedProject, printProblems } from './load-verified-project.js';

export interface InitIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** More tables than this need --tables (or choosing in the terminal): a first project stays small. */
const MAX_TABLES_WITHOUT_CHOICE = 20;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

type Source =
  | { kind: 'server'; type: 'postgres' | 'mysql'; url: string }
  | { kind: 'duckdb-file'; file: string }
  | { kind: 'folder'; dir: string };

/** `trellis init DIR --from SOURCE`: introspect, scaffold, then check the result as `trellis check` would. */
export async function initCommand(argv: string[], io: InitIo): Promise<number> {
  const say = (l: string) => io.stdout.write(`${l}\n`);
  const fail = (l: string, code = 1) => {
    io.stderr.write(`trellis init: ${l}\n`);
    return code;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        from: { type: 'string' },
        tables: { type: 'string' },
        'tenant-column': { type: 'string' },
        shared: { type: 'boolean' },
        'url-env': { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        name: { type: 'string' },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n\ntrellis init DIR --from SOURCE (see trellis --help)`, 2);
  }
  const [dirArg] = parsed.positionals;
  const { from } = parsed.values;
  if (!dirArg || !from)
    return fail(
      `name the new project's folder and --from\n\ntrellis init DIR --from SOURCE (see trellis --help)`,
      2,
    );
  if (parsed.values.shared && parsed.values['tenant-column'])
    return fail('use either --tenant-column or --shared', 2);
  const urlEnv = parsed.values['url-env'] ?? 'DATABASE_URL';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(urlEnv)) return fail('--url-env must be a variable name', 2);
  const dir = path.resolve(dirArg);
  if (existsSync(dir) && (await readdir(dir)).length > 0)
    return fail(`${dir} exists and is not empty; choose a new folder (nothing was written)`);
  const source = await sourceOf(from);
  if (!source)
    return fail(
      `--from: expected a postgres:// or mysql:// URL, a DuckDB file or a folder, not "${redact(from)}"`,
      2,
    );
  const interactive = io.stdin.isTTY === true && !parsed.values.yes;
  const ask = interactive ? asker(io) : undefined;

  await mkdir(path.join(dir, 'data'), { recursive: true });
  let config: SourceConfig;
  let environment: Record<string, string> = {};
  let planSource: ScaffoldPlan['source'];
  if (source.kind === 'server') {
    config = serverSourceFor(source.type, urlEnv);
    environment = { [urlEnv]: source.url };
    planSource = { type: source.type, urlEnv };
  } else {
    const file =
      source.kind === 'duckdb-file'
        ? await copyDuckDB(source.file, dir)
        : await importFolder(source.dir, dir, say);
    if (typeof file !== 'string') return fail(file.problem);
    const rel = path.relative(dir, file);
    config = sourceConfig.parse({ type: 'duckdb', path: rel });
    planSource = { type: 'duckdb', path: rel };
  }

  let introspector: SourceIntrospector;
  try {
    introspector = await SourceIntrospector.open(config, dir, environment);
  } catch (err) {
    return fail(`cannot open ${redact(from)}: ${(err as Error).message}`);
  }
  let tables: ScaffoldTable[];
  let demoOrganisations: string[] = [];
  try {
    const found = await introspector.listTables();
    if (found.length === 0)
      return fail('no tables found (tables and views with plain names: letters, digits, _)');
    const chosen = await chooseTables(found, parsed.values.tables, ask);
    if (typeof chosen === 'string') return fail(chosen);
    const infos: TableInfo[] = [];
    for (const t of chosen) infos.push(await introspector.describeTable(t));
    const tenancy = await chooseTenancy(
      infos,
      parsed.values['tenant-column'],
      parsed.values.shared === true,
      ask,
    );
    if (typeof tenancy === 'string') return fail(tenancy);
    tables = tenancy;
    const tenantTable = tables.find((t) => t.tenantColumn);
    if (tenantTable?.tenantColumn) {
      const values = await introspector.distinctValues(tenantTable.info, tenantTable.tenantColumn, 50);
      demoOrganisations = values.filter((v) => SLUG.test(v)).slice(0, 5);
      if (demoOrganisations.length === 0)
        say(
          `note: no value of ${tenantTable.tenantColumn} is an organisation slug (lower-case letters, digits, -); the demo organisation "demo" will see no rows`,
        );
    }
  } finally {
    await introspector.close();
  }

  const name =
    (parsed.values.name ?? path.basename(dir))
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, '-')
      .replace(/^[^a-z]+/, '') || 'project';
  const files = scaffoldProject({
    name: name.slice(0, 63),
    title: name.replace(/[-_]+/g, ' ').replace(/^./, (c) => c.toUpperCase()),
    source: planSource,
    tables,
    demoOrganisations,
  });
  for (const [rel, text] of files) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text, { flag: 'wx' });
  }
  say(`Wrote ${dir}:`);
  for (const rel of [...files.keys()].sort()) say(`  ${rel}`);
  for (const t of tables)
    if (t.info.skipped.length) say(`  (${t.info.name}: left out ${t.info.skipped.join(', ')})`);

  // The same check as `trellis check`: a scaffold that does not pass is a bug, said loudly.
  const verified = await loadVerifiedProject(dir, environment);
  if (!verified.ok) {
    printProblems(verified.problems, (l) => io.stderr.write(`${l}\n`));
    return fail(
      'the generated project does not pass trellis check (a bug: please report it with the lines above)',
    );
  }
  await closeEngines(verified.engines);
  const rel = path.relative(process.cwd(), dir) || '.';
  say('');
  say('It passes trellis check. Next:');
  if (source.kind === 'server') say(`  export ${urlEnv}='…'   # the URL you gave, in the environment only`);
  say(`  trellis serve --demo ${rel}   # prints a one-time sign-in link`);
  say(`  trellis dev ${rel}            # the same, and saved edits reload the open dashboards`);
  say(`  trellis check ${rel}          # every problem of every file, e.g. in CI`);
  return 0;
}

async function sourceOf(from: string): Promise<Source | undefined> {
  if (/^postgres(ql)?:\/\//.test(from)) return { kind: 'server', type: 'postgres', url: from };
  if (/^(mysql|mariadb):\/\//.test(from)) return { kind: 'server', type: 'mysql', url: from };
  const full = path.resolve(from);
  const s = await stat(full).catch(() => undefined);
  if (s?.isFile()) return { kind: 'duckdb-file', file: full };
  if (s?.isDirectory()) return { kind: 'folder', dir: full };
  return undefined;
}

/** A connection URL without its password, for messages. */
function redact(value: string): string {
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:…@');
}

/** The DuckDB file is copied into data/ (the project is self-contained; DuckDB reads only there). */
async function copyDuckDB(file: string, dir: string): Promise<string | { problem: string }> {
  const name = path.basename(file).replace(/[^A-Za-z0-9_.-]/g, '_');
  const target = path.join(dir, 'data', /\.(duckdb|db)$/.test(name) ? name : `${name}.duckdb`);
  await copyFile(file, target);
  return target;
}

/** CSV/Parquet files (and folders of Parquet parts) → tables of data/<folder>.duckdb. */
async function importFolder(
  folder: string,
  dir: string,
  say: (l: string) => void,
): Promise<string | { problem: string }> {
  const tables: FileTable[] = [];
  for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = path.join(folder, entry.name);
    const m = /^(.+?)\.(csv|tsv|parquet)(\.gz)?$/i.exec(entry.name);
    if (entry.isFile() && m?.[1] && m[2]) {
      tables.push({
        name: tableName(m[1]),
        path: full,
        format: m[2].toLowerCase() === 'parquet' ? 'parquet' : 'csv',
      });
    } else if (entry.isDirectory() && (await readdir(full)).some((f) => f.endsWith('.parquet'))) {
      tables.push({ name: tableName(entry.name), path: path.join(full, '*.parquet'), format: 'parquet' });
    }
  }
  if (tables.length === 0) return { problem: `${folder} has no .csv, .tsv or .parquet files` };
  const names = new Set<string>();
  for (const t of tables) {
    if (names.has(t.name)) return { problem: `two files would both become table "${t.name}"; rename one` };
    names.add(t.name);
  }
  const target = path.join(dir, 'data', `${tableName(path.basename(folder))}.duckdb`);
  say(`Reading ${tables.length} file(s) from ${folder} into ${path.relative(dir, target)}…`);
  await importFilesIntoDuckDB(target, tables);
  return target;
}

function tableName(stem: string): string {
  const name = stem.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z_]+/, '');
  return IDENTIFIER.test(name) ? name : `t_${name}`.slice(0, 63);
}

type Ask = (question: string) => Promise<string>;

function asker(io: InitIo): Ask {
  return async (question) => {
    const rl = createInterface({ input: io.stdin, output: io.stderr });
    try {
      return (await rl.question(question)).trim();
    } finally {
      rl.close();
    }
  };
}

type TableRef = { schema: string | undefined; name: string };
const label = (t: TableRef) => (t.schema ? `${t.schema}.${t.name}` : t.name);

async function chooseTables(
  found: TableRef[],
  flag: string | undefined,
  ask: Ask | undefined,
): Promise<TableRef[] | string> {
  let wanted = flag
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted && ask) {
    const list = found.map((t, i) => `  ${i + 1}. ${label(t)}`).join('\n');
    const answer = await ask(
      `Tables found:\n${list}\nWhich ones (numbers or names, comma-separated; Enter = all)? `,
    );
    wanted = answer
      ? answer.split(',').map((s) => {
          const n = Number(s.trim());
          return Number.isInteger(n) && n >= 1 && n <= found.length
            ? label(found[n - 1] as TableRef)
            : s.trim();
        })
      : undefined;
  }
  if (!wanted) {
    if (found.length > MAX_TABLES_WITHOUT_CHOICE)
      return `${found.length} tables found; choose with --tables (e.g. --tables ${found.slice(0, 2).map(label).join(',')})`;
    return found;
  }
  const chosen: TableRef[] = [];
  for (const w of wanted) {
    const hit = found.find(
      (t) => label(t) === w || (t.name === w && found.filter((f) => f.name === w).length === 1),
    );
    if (!hit)
      return `no table "${w}" (found: ${found.slice(0, 30).map(label).join(', ')}${found.length > 30 ? ', …' : ''})`;
    chosen.push(hit);
  }
  return chosen;
}

async function chooseTenancy(
  infos: TableInfo[],
  tenantFlag: string | undefined,
  sharedFlag: boolean,
  ask: Ask | undefined,
): Promise<ScaffoldTable[] | string> {
  const result: ScaffoldTable[] = [];
  for (const info of infos) {
    const strings = info.columns.filter((c) => c.type === 'string').map((c) => c.name);
    let tenant: string | undefined;
    if (tenantFlag) {
      if (!strings.includes(tenantFlag))
        return `--tenant-column ${tenantFlag}: table ${label(info)} has no text column of that name (text columns: ${strings.join(', ') || 'none'})`;
      tenant = tenantFlag;
    } else if (!sharedFlag && ask) {
      let wrong = '';
      for (;;) {
        const answer = await ask(
          `${wrong}${label(info)}: which column holds the organisation a row belongs to (${strings.join(', ') || 'no text columns'})? Enter = none, every organisation sees every row: `,
        );
        if (!answer || strings.includes(answer)) {
          tenant = answer || undefined;
          break;
        }
        // Asked again, saying why: only a text column can hold organisation slugs.
        wrong = `"${answer}" is not a text column of ${label(info)}. `;
      }
    }
    result.push({ info, tenantColumn: tenant });
  }
  return result;
}
