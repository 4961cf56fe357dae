import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateCandidates } from '../../examples/sourcing/generator/generate-candidates.js';
import { ScoringApi } from '../../examples/sourcing/stand-in/scoring-api.js';
import { defaultConfig } from '../config/env.js';
import { capturedIo } from '../../test/cli-io.js';
import { createEnrichProject, enrichPipelineYaml, withPickedInputs } from '../../test/enrichment-fixture.js';
import { pipelineCommand } from './pipeline.command.js';

// `trellis pipeline run DIR ID --input NAME=VALUE`, in process against the scoring stand-in: the
// values reach the run (a `keys` input limits it to those rows, a text input fills the body), and bad
// ones are refused with one line per input before anything is called.
const KEY = 'cli-inputs-key';
const candidates = generateCandidates(40);
let api: ScoringApi;
let dir: string;

beforeAll(async () => {
  api = await ScoringApi.start({ keys: [KEY], limit: 1e9, windowMs: 1_000 });
  dir = await createEnrichProject(
    { a: candidates },
    { batch: 10, concurrency: 4, timeout: '5s', retries: 1, backoff: '10ms', maxBackoff: '50ms' },
  );
  // The same pipeline with inputs: the candidates to screen (a list), a required note, a tier.
  const yaml = withPickedInputs(
    enrichPipelineYaml('a', {
      batch: 10,
      concurrency: 4,
      timeout: '5s',
      retries: 1,
      backoff: '10ms',
      maxBackoff: '50ms',
    }),
  );
  writeFileSync(path.join(dir, 'pipelines', 'screen_a.yaml'), yaml);
});
afterAll(() => api.close());

const config = () =>
  defaultConfig({
    environment: { SCORING_API_URL: api.url, SCORING_API_KEY: KEY },
  });

async function run(...args: string[]) {
  const { io, result } = capturedIo();
  const code = await pipelineCommand(['run', dir, 'screen_a', ...args], config(), {
    stdout: io.stdout,
    stderr: io.stderr,
    onStop: () => () => undefined,
  });
  // Let the captured streams deliver what was written.
  await new Promise((resolve) => setImmediate(resolve));
  return result(code);
}

describe('trellis pipeline run --input', () => {
  test('bad values: exit 2, one line per problem naming the input, nothing called', async () => {
    const before = api.stats.calls;
    const r = await run(
      '--input',
      'note=this note is far too long for it',
      '--input=tier=c',
      '--input',
      'picked=a,b,c',
      '--input',
      'picked=d,e,f',
      '--input',
      'nope=1',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('trellis pipeline: --input: unknown input "nope"');
    expect(r.stderr).toContain('trellis pipeline: --input note: Note must be at most 20 characters');
    expect(r.stderr).toMatch(/^trellis pipeline: --input tier: Tier must be one of a, b$/m);
    expect(r.stderr).toContain('--input picked: Picked must hold at most 5 keys');
    expect(r.stderr).toContain('screen_a: its inputs: picked (list), note (text, required), tier (enum)');
    expect(r.stderr).not.toMatch(/far too long/);
    expect(api.stats.calls).toBe(before);

    const twice = await run('--input', 'note=a', '--input', 'note=b');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--input note: given 2 times (only list inputs may repeat)');
    const shape = await run('--input', 'note');
    expect(shape.stderr).toContain('--input "note": write it as name=value');
    const dangling = await run('--input');
    expect(dangling.code).toBe(2);
    expect(dangling.stderr).toContain('--input needs NAME=VALUE');
  });

  test('a required input left out: the runner refuses the run with the input named', async () => {
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PIPELINE_INPUTS_INVALID: The inputs are not valid: Note is required/);
  });

  test('valid values reach the run: only the listed rows are called, comma-separated and repeated alike', async () => {
    const picked = candidates.filter((c) => !c.headline.includes('(')).slice(0, 4);
    const [c0, c1, c2, c3] = picked.map((c) => c.id);
    const r = await run(
      '--input',
      `picked=${c0}, ${c1}`,
      '--input',
      `picked=${c2}`,
      `--input=picked=${c3},${c0}`,
      '--input',
      'note=senior roles',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^done in [\d.]+ s: 4 ok, 0 failed/m);
    for (const c of picked) expect(api.timesScored(c.id)).toBe(1);
    const others = candidates.filter((c) => !picked.includes(c));
    expect(others.every((c) => api.timesScored(c.id) === 0)).toBe(true);
  });
});
