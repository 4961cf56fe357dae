import { printTable, writeResult, type ScenarioResult } from './lib/report.js';
import { exampleWidgets } from './scenarios/example-widgets.js';
import { webBundle } from './scenarios/web-bundle.js';

/** `npm run bench` runs every scenario; `npm run bench -- NAME` runs one. */
const scenarios: Record<string, () => Promise<ScenarioResult>> = {
  'example-widgets': exampleWidgets,
  'web-bundle': webBundle,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in scenarios));
if (unknown.length) {
  process.stderr.write(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}\n`,
  );
  process.exit(2);
}
const results: ScenarioResult[] = [];
for (const name of wanted.length ? wanted : Object.keys(scenarios)) {
  process.stdout.write(`bench: ${name}…\n`);
  const result = await (scenarios[name] as () => Promise<ScenarioResult>)();
  writeResult(result);
  results.push(result);
}
printTable(results);
