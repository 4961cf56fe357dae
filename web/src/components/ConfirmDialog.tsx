import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from './FormError.js';

/**
 * A modal question before a destructive action, on the native <dialog>: focus moves into it and is
 * kept there, Escape cancels, and focus returns to the button that opened it. The confirm button is
 * a submit button, so children may add inputs (a new password) that Enter submits.
 */
export function ConfirmDialog(props: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  pending?: boolean;
  error?: Error | null;
  onConfirm: () => void;
  onCancel: () => void;
  /** The children check their own fields (and show each problem beside it): no browser bubbles. */
  noValidate?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const { t } = useTranslation();
  // The latest onCancel, read by the listener: an inline arrow per render must not reopen the dialog.
  const onCancel = useRef(props.onCancel);
  onCancel.current = props.onCancel;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const cancel = (event: Event) => {
      event.preventDefault();
      onCancel.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!props.pending) props.onConfirm();
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="confirm-title">
      <form onSubmit={submit} noValidate={props.noValidate}>
        <h2 id="confirm-title" className="dialog-title">
          {props.title}
        </h2>
        <div className="dialog-body">{props.children}</div>
        <FormError error={props.error ?? null} />
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={props.onCancel}>
            {t('ui.cancel')}
          </button>
          <button
            type="submit"
            className={props.danger ? 'button danger' : 'button'}
            disabled={props.pending}
            autoFocus={!props.children}
          >
            {props.pending ? t('ui.working') : props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
