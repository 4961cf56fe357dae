import { useCallback, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  validateRunInputs,
  type RunInputIssue,
  type RunInputSpec,
  type RunInputValues,
} from '../../../contract/run-input-rules.js';
import { isApiError } from '../api/api-error.js';
import { ConfirmDialog } from './ConfirmDialog.js';

/**
 * "Run with inputs…": a form built from the pipeline's declared inputs (docs/pipelines.md#inputs).
 * It checks with the server's own validator before sending (contract/run-inputs.ts), and shows the
 * server's answer (400 PIPELINE_INPUTS_INVALID) next to each field; anything else goes under the form.
 * Native <dialog> through ConfirmDialog: focus moves in, Escape closes, Enter submits.
 */
export function RunInputsDialog(props: {
  title: string;
  inputs: readonly RunInputSpec[];
  pending: boolean;
  error: Error | null;
  onStart: (values: RunInputValues) => void;
  onCancel: () => void;
}) {
  const form = useRunInputsForm(props.inputs, props.error);
  const { t } = useTranslation();
  return (
    <ConfirmDialog
      title={t('jobs.runTitle', { title: props.title })}
      confirmLabel={t('jobs.startRun')}
      pending={props.pending}
      error={form.serverIssues && form.local === null ? null : props.error}
      onConfirm={() => form.submit(props.onStart)}
      onCancel={props.onCancel}
      noValidate
    >
      <RunInputsFields form={form} />
    </ConfirmDialog>
  );
}

export type RunInputsForm = ReturnType<typeof useRunInputsForm>;

/**
 * The form's state, shared by the Jobs page's dialog and the dashboard's action widget: the typed
 * text per field, the local check's issues (the server's own validator) or else the server's 400
 * PIPELINE_INPUTS_INVALID issues, and `submit`, which checks before anything is sent. `extra` are
 * issues the caller adds for values it holds itself (an action's selected keys).
 */
export function useRunInputsForm(
  inputs: readonly RunInputSpec[],
  error: Error | null,
  /** Input names whose problems the caller shows itself (beside a table's selection). */
  shownElsewhere: readonly string[] = [],
) {
  const baseId = useId();
  const [text, setText] = useState<Record<string, string>>(() =>
    Object.fromEntries(inputs.map((i) => [i.name, i.default === null ? '' : String(i.default)])),
  );
  const [local, setLocal] = useState<readonly RunInputIssue[] | null>(null);
  const serverIssues = isApiError(error) && error.code === 'PIPELINE_INPUTS_INVALID';
  const issues = local ?? (serverIssues && isApiError(error) ? (error.issues ?? []) : []);
  const problemOf = (name: string) => issues.find((i) => i.path === name)?.message;
  const general = issues.filter(
    (i) => !inputs.some((s) => s.name === i.path) && !shownElsewhere.includes(i.path),
  );
  const idOf = (name: string) => `${baseId}-${name}`;

  const submit = (onValid: (values: RunInputValues) => void, extra: readonly RunInputIssue[] = []) => {
    // Blank fields are left out: the server fills defaults and reports missing required ones.
    const raw = Object.fromEntries(Object.entries(text).filter(([, v]) => v.trim() !== ''));
    const checked = validateRunInputs(inputs, raw);
    const found = [...(checked.ok ? [] : checked.issues), ...extra];
    if (!checked.ok || found.length > 0) {
      setLocal(found);
      document.getElementById(idOf(found[0]?.path ?? ''))?.focus();
      return;
    }
    setLocal(null);
    onValid(checked.values);
  };
  const edit = (name: string, value: string) => {
    setText((t) => ({ ...t, [name]: value }));
    // The field's problem goes once it is edited; the others stay until the next check.
    setLocal(issues.filter((i) => i.path !== name));
  };
  /** Drops the local problem of an input the caller holds (its value changed elsewhere). */
  const forget = useCallback(
    (name: string) =>
      setLocal((l) => (l && l.some((i) => i.path === name) ? l.filter((i) => i.path !== name) : l)),
    [],
  );
  return { inputs, text, local, serverIssues, issues, problemOf, general, idOf, submit, edit, forget };
}

/** The fields of a run's inputs, each with its problem (or hint) beside it. */
export function RunInputsFields({ form, autoFocus = true }: { form: RunInputsForm; autoFocus?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="run-inputs" data-testid="run-inputs-form">
      {form.serverIssues && form.local === null && (
        <p className="field-error" role="alert">
          {t('jobs.inputsRefused')}
        </p>
      )}
      {form.general.map((g) => (
        <p key={g.message} className="field-error" role="alert">
          {g.message}
        </p>
      ))}
      {form.inputs.map((spec, index) => (
        <InputField
          key={spec.name}
          id={form.idOf(spec.name)}
          spec={spec}
          value={form.text[spec.name] ?? ''}
          problem={form.problemOf(spec.name)}
          autoFocus={autoFocus && index === 0}
          onChange={(v) => form.edit(spec.name, v)}
        />
      ))}
    </div>
  );
}

function InputField(props: {
  id: string;
  spec: RunInputSpec;
  value: string;
  problem: string | undefined;
  autoFocus: boolean;
  onChange: (value: string) => void;
}) {
  const { spec } = props;
  const { t } = useTranslation();
  const hintId = `${props.id}-hint`;
  const hint = props.problem ?? hintFor(spec, t);
  const common = {
    id: props.id,
    name: spec.name,
    value: props.value,
    required: spec.required && spec.default === null,
    autoFocus: props.autoFocus,
    'aria-invalid': props.problem ? true : undefined,
    'aria-describedby': hint ? hintId : undefined,
  } as const;
  let control;
  switch (spec.type) {
    case 'enum':
      control = (
        <select {...common} onChange={(e) => props.onChange(e.target.value)}>
          {!common.required && <option value="">—</option>}
          {common.required && props.value === '' && (
            <option value="" disabled>
              {t('ui.choose')}
            </option>
          )}
          {spec.values.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      );
      break;
    case 'keys':
      control = <textarea {...common} rows={3} onChange={(e) => props.onChange(e.target.value)} />;
      break;
    case 'number':
      control = (
        <input
          {...common}
          type="number"
          inputMode={spec.integer ? 'numeric' : 'decimal'}
          min={spec.min ?? undefined}
          max={spec.max ?? undefined}
          step={spec.integer ? 1 : 'any'}
          onChange={(e) => props.onChange(e.target.value)}
        />
      );
      break;
    case 'date':
      control = (
        <input
          {...common}
          type="date"
          min={spec.min ?? undefined}
          max={spec.max ?? undefined}
          onChange={(e) => props.onChange(e.target.value)}
        />
      );
      break;
    case 'text':
      control = (
        <input
          {...common}
          type="text"
          maxLength={spec.maxLength}
          onChange={(e) => props.onChange(e.target.value)}
        />
      );
      break;
  }
  return (
    <div className="field">
      <label htmlFor={props.id}>
        {spec.label}
        {common.required && <span aria-hidden="true"> *</span>}
      </label>
      {control}
      {hint && (
        <span id={hintId} className={props.problem ? 'field-error' : 'field-hint'}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** The declared hint, else what the field accepts. */
function hintFor(spec: RunInputSpec, t: TFunction): string | null {
  if (spec.hint) return spec.hint;
  switch (spec.type) {
    case 'number':
      if (spec.min !== null && spec.max !== null)
        return t('jobs.inputRange', { min: spec.min, max: spec.max });
      return null;
    case 'keys':
      return t('jobs.inputKeys', { count: spec.maxCount });
    case 'text':
      return null;
    default:
      return null;
  }
}
