import type { Pipeline } from '../../config/project/pipeline.types.js';
import { pipelineFailed } from './run-support.js';

/**
 * The one place secrets leave a run's reports. A pipeline's `${env:NAME}` values are resolved once
 * per run (`resolveSecrets`); everything the run says — run log, server log, error messages, a failed
 * row's `error` — goes through `redact`, which replaces each value (as sent, URL-encoded, form-encoded
 * or JSON-escaped: an API may echo it in any of these) with `[secret NAME]`. The pipeline runner applies
 * it to its log and its errors; the enrichment applies it to each row's error.
 */
export class SecretRedactor {
  private readonly needles: readonly { readonly text: string; readonly name: string }[];

  constructor(secrets: ReadonlyMap<string, string>) {
    const needles: { text: string; name: string }[] = [];
    for (const [name, value] of secrets) {
      // A one- or two-character "secret" would blank out ordinary text; such values are not secrets.
      if (value.length < 3) continue;
      // A query value is sent form-encoded (URLSearchParams: ~ ! ' ( ) and spaces differ from
      // encodeURIComponent), so a URL echoed back holds that form.
      const formEncoded = new URLSearchParams({ v: value }).toString().slice(2);
      for (const form of new Set([
        value,
        encodeURIComponent(value),
        formEncoded,
        JSON.stringify(value).slice(1, -1),
      ]))
        needles.push({ text: form, name });
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.needles = needles.sort((a, b) => b.text.length - a.text.length);
  }

  redact(text: string): string {
    let out = text;
    for (const { text: needle, name } of this.needles)
      if (out.includes(needle)) out = out.split(needle).join(`[secret ${name}]`);
    return out;
  }

  static readonly none = new SecretRedactor(new Map());
}

/** The pipeline's `${env:NAME}` values from the environment snapshot; a missing one fails the run by name. */
export function resolveSecrets(
  pipeline: Pipeline,
  environment: Readonly<Record<string, string>>,
): Map<string, string> {
  const missing = pipeline.secrets.filter((name) => !environment[name]);
  if (missing.length)
    throw pipelineFailed(
      pipeline,
      `the environment variable${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set (the pipeline's requests use ${missing.length === 1 ? 'it' : 'them'} as \${env:…})`,
    );
  return new Map(pipeline.secrets.map((name) => [name, environment[name] as string]));
}

/** Pipelines whose secrets are not set in `environment`: `trellis check` and a production start report them. */
export function missingSecrets(
  pipelines: Iterable<Pipeline>,
  environment: Readonly<Record<string, string>>,
): { pipeline: Pipeline; names: string[] }[] {
  const out: { pipeline: Pipeline; names: string[] }[] = [];
  for (const pipeline of pipelines) {
    const names = pipeline.secrets.filter((name) => !environment[name]);
    if (names.length) out.push({ pipeline, names });
  }
  return out;
}
