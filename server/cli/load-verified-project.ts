import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadProject } from '../config/project/load-project.js';
import { formatProblem, type Project, type ProjectProblem } from '../config/project/project.types.js';
import { YamlSource } from '../config/project/yaml-source.js';
import type { Engine } from '../query/engine.js';
import { closeEngines, openEngines, SourcesUnavailableError } from '../query/engines/index.js';
import { verifyAgainstSources } from '../services/project-verifier.js';

export type VerifiedProject =
  { ok: true; project: Project; engines: Map<string, Engine> } | { ok: false; problems: ProjectProblem[] };

/**
 * Loads the files, opens the sources and checks one against the other: what `check` and `serve` share.
 * `environment` is AppConfig's snapshot, used only to resolve the sources' `url_env` references.
 */
export async function loadVerifiedProject(
  dir: string,
  environment: Readonly<Record<string, string>>,
): Promise<VerifiedProject> {
  const loaded = await loadProject(dir);
  if (!loaded.ok) return loaded;
  let engines: Map<string, Engine>;
  try {
    engines = await openEngines(loaded.project.sources, loaded.project.dir, environment);
  } catch (err) {
    if (!(err instanceof SourcesUnavailableError)) throw err;
    return { ok: false, problems: await sourceProblems(loaded.project.dir, err) };
  }
  const problems = await verifyAgainstSources(loaded.project, engines);
  if (problems.length) {
    await closeEngines(engines);
    return { ok: false, problems };
  }
  return { ok: true, project: loaded.project, engines };
}

/** One problem per source that would not open, on the line that declares it in trellis.yaml. */
async function sourceProblems(dir: string, err: SourcesUnavailableError): Promise<ProjectProblem[]> {
  const file = 'trellis.yaml';
  const yaml = new YamlSource(file, await readFile(path.join(dir, file), 'utf8'));
  return err.failures.map(({ source, error }) => ({
    file,
    line: yaml.lineOf(['sources', source]),
    message: `source "${source}" cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
  }));
}

export function printProblems(problems: readonly ProjectProblem[], write: (line: string) => void): void {
  for (const p of problems) write(formatProblem(p));
  write(`${problems.length} problem${problems.length === 1 ? '' : 's'} found.`);
}
