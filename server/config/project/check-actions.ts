import { validateRunInputs } from '../../../contract/run-inputs.js';
import type { DashboardToCheck } from './check-references.js';
import { didYouMean as suggest } from './did-you-mean.js';
import type { Pipeline } from './pipeline.types.js';
import type { YamlPath } from './yaml-source.js';

type Report = (file: string, line: number, message: string) => void;

/**
 * Action widgets against the pipelines (docs/project-files.md#action-widgets), checked once the
 * pipelines are loaded: the pipeline exists; each of the widget's `inputs:` is one the pipeline
 * declares and its value passes that input's own rules; `fixed` names given inputs; and the
 * table hand-off is whole — `from_table` is a listing table widget of the same dashboard (at most one
 * action per table), `key_column` one of its columns, `keys_input` a `keys` input of the pipeline.
 */
export function checkActions(
  dashboardFiles: ReadonlyMap<string, DashboardToCheck>,
  pipelines: ReadonlyMap<string, Pipeline>,
  /** Every pipeline file's id, valid or not: a broken one reported its own problems already. */
  pipelineFiles: ReadonlySet<string>,
  report: Report,
): void {
  for (const toCheck of dashboardFiles.values()) {
    const { source: src, data } = toCheck;
    const fed = new Map<string, string>();
    data.widgets.forEach((w, i) => {
      if (w.type !== 'action') return;
      const index = toCheck.widgetPositions?.[i] ?? i;
      const at = (p: YamlPath, message: string) =>
        report(src.file, src.lineOf(['widgets', index, ...p]), `widget "${w.id}": ${message}`);

      if (w.from_table !== undefined) {
        const table = data.widgets.find((t) => t.id === w.from_table);
        if (!table || table.type !== 'table')
          at(
            ['from_table'],
            table
              ? `from_table "${w.from_table}" is a ${table.type} widget, not a table`
              : `from_table: unknown widget "${w.from_table}"${suggest(
                  w.from_table,
                  data.widgets.filter((t) => t.type === 'table').map((t) => t.id),
                )}`,
          );
        else if (!table.columns)
          at(['from_table'], `from_table "${w.from_table}" must list rows (\`columns\`), not group them`);
        else if (w.key_column !== undefined && !table.columns.includes(w.key_column))
          at(
            ['key_column'],
            `key_column "${w.key_column}" is not a column of table "${table.id}"${suggest(w.key_column, table.columns)}`,
          );
        const other = fed.get(w.from_table);
        if (other) at(['from_table'], `table "${w.from_table}" already feeds action "${other}"`);
        fed.set(w.from_table, w.id);
      }

      const pipeline = pipelines.get(w.pipeline);
      if (!pipeline) {
        if (pipelineFiles.has(w.pipeline)) return;
        at(['pipeline'], `unknown pipeline "${w.pipeline}"${suggest(w.pipeline, pipelines.keys())}`);
        return;
      }
      const specs = pipeline.inputs;
      if (w.keys_input !== undefined) {
        const input = specs.find((s) => s.name === w.keys_input);
        if (!input)
          at(
            ['keys_input'],
            `pipeline "${pipeline.id}" has no input "${w.keys_input}"${suggest(
              w.keys_input,
              specs.map((s) => s.name),
            )}`,
          );
        else if (input.type !== 'keys')
          at(
            ['keys_input'],
            `input "${w.keys_input}" is a ${input.type} input, not a list of keys (type: keys)`,
          );
        else if (w.inputs[w.keys_input] !== undefined)
          at(['inputs', w.keys_input], `input "${w.keys_input}" comes from the table's selection`);
      }
      for (const [name, value] of Object.entries(w.inputs)) {
        const spec = specs.find((s) => s.name === name);
        if (!spec) {
          at(
            ['inputs', name],
            `pipeline "${pipeline.id}" has no input "${name}"${suggest(
              name,
              specs.map((s) => s.name),
            )}`,
          );
          continue;
        }
        const checked = validateRunInputs([{ ...spec, required: true }], { [name]: value });
        if (!checked.ok) at(['inputs', name], checked.issues[0]?.message ?? 'is not valid');
      }
      w.fixed.forEach((name, j) => {
        if (w.inputs[name] === undefined)
          at(['fixed', j], `fixed input "${name}" needs a value under \`inputs\``);
      });
    });
  }
}
