import { useId, useState } from 'react';
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
  const baseId = useId();
  const { t } = useTranslation();
  const [text, setText] = useState<Record<string, string>>(() =>
    Object.fromEntries(props.inputs.map((i) => [i.name, i.default === null ? '' : String(i.default)])),
  );
  const [local, setLocal] = useState<readonly RunInputIssue[] | null>(null);
  const serverIssues = isApiError(props.error) && props.error.code === 'PIPELINE_INPUTS_INVALID';
  const issues = local ?? (serverIssues && isApiError(props.error) ? (props.error.issues ?? []) : []);
  const problemOf = (name: string) => issues.find((i) => i.path === name)?.message;
  const general = issues.filter((i) => !props.inputs.some((s) => s.name === i.path));

  const submit = () => {
    // Blank fields are left out: the server fills defaults and reports missing required ones.
    const raw = Object.fromEntries(Object.entries(text).filter(([, v]) => v.trim() !== ''));
    const checked = validateRunInputs(props.inputs, raw);
    if (!checked.ok) {
      setLocal(checked.issues);
      document.getElementById(`${baseId}-${checked.issues[0]?.path ?? ''}`)?.focus();
      return;
    }
    setLocal(null);
    props.onStart(checked.values);
  };

  return (
    <ConfirmDialog
      title={t('jobs.runTitle', { title: props.title })}
      confirmLabel={t('jobs.startRun')}
      pending={props.pending}
      error={serverIssues && local === null ? null : props.error}
      onConfirm={submit}
      onCancel={props.onCancel}
      noValidate
    >
      <div className="run-inputs" data-testid="run-inputs-form">
        {serverIssues && local === null && (
          <p className="field-error" role="alert">
            {t('jobs.inputsRefused')}
          </p>
        )}
        {general.map((g) => (
          <p key={g.message} className="field-error" role="alert">
            {g.message}
          </p>
        ))}
        {props.inputs.map((spec, index) => (
          <InputField
            key={spec.name}
            id={`${baseId}-${spec.name}`}
            spec={spec}
            value={text[spec.name] ?? ''}
            problem={problemOf(spec.name)}
            autoFocus={index === 0}
            onChange={(v) => {
              setText((t) => ({ ...t, [spec.name]: v }));
              // The field's problem goes once it is edited; the others stay until the next check.
              setLocal(issues.filter((i) => i.path !== spec.name));
            }}
          />
        ))}
      </div>
    </ConfirmDialog>
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
