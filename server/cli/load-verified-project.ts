import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadProject } from '../config/project/load-project.js';
import { formatProblem, type Project, type ProjectProblem } from '../config/project/project.types.js';
import { YamlSource } from '../config/project/yaml-source.js';
import type { Engine } from '../query/engine.js';
import { closeEngines, openEngines, SourcesUnavailableError } from '../query/engines/index.js';
import { verifyAgainstSources } from '../services/project-verifier.js';
import { missingSecrets } from '../jobs/pipelines/secret-redactor.js';

export type VerifiedProject =
  { ok: true; project: Project; engines: Map<string, Engine> } | { ok: false; problems: ProjectProblem[] };

/**
 * Loads the files, opens the sources and checks one against the other: what `check` and `serve` share.
 * `environment` is AppConfig's snapshot, used only to resolve the sources' `url_env` references.
 */
export async function loadVerifiedProject(
  dir: string,
  environment: Readonly<Record<string, string>>,
  options: { readonly requireSecrets?: boolean } = {},
): Promise<VerifiedProject> {
  const loaded = await loadProject(dir);
  if (!loaded.ok) return loaded;
  if (options.requireSecrets) {
    const problems = await secretProblems(loaded.project, environment);
    if (problems.length) return { ok: false, problems };
  }
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

/**
 * Pipelines whose requests use `${env:NAME}` secrets that are not set: `trellis check` and a production
 * start refuse them up front, on the line that uses the variable, rather than failing the first run.
 */
async function secretProblems(
  project: Project,
  environment: Readonly<Record<string, string>>,
): Promise<ProjectProblem[]> {
  const problems: ProjectProblem[] = [];
  for (const { pipeline, names } of missingSecrets(project.pipelines.values(), environment)) {
    const text = await readFile(path.join(project.dir, pipeline.file), 'utf8').catch(() => '');
    const lines = text.split('\n');
    for (const name of names) {
      const at = lines.findIndex((l) => l.includes(`\${env:${name}}`));
      problems.push({
        file: pipeline.file,
        line: at + 1 || 1,
        message: `the environment variable ${name} is not set (this pipeline's requests send it as \${env:${name}})`,
      });
    }
  }
  return problems;
}
