import type { AppConfig } from '../config/env.js';
import { closeEngines } from '../query/engines/index.js';
import { loadVerifiedProject, printProblems } from './load-verified-project.js';

/** `trellis check DIR`: every problem as `file:line: message`; exit 1 if there is any. */
export async function checkCommand(dir: string, config: AppConfig): Promise<number> {
  const verified = await loadVerifiedProject(dir, config.environment, { requireSecrets: true });
  if (!verified.ok) {
    printProblems(verified.problems, (l) => process.stderr.write(`${l}\n`));
    return 1;
  }
  const { project, engines } = verified;
  await closeEngines(engines);
  const widgets = [...project.dashboards.values()].reduce((n, d) => n + d.widgets.length, 0);
  process.stdout.write(
    `${project.name}: ok (${project.datasets.size} datasets, ${project.dashboards.size} dashboards, ${widgets} widgets)\n`,
  );
  return 0;
}
