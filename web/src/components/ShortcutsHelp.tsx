import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { SHORTCUTS } from '../app/shortcuts/shortcuts.js';

/** The `?` overlay: a modal <dialog> (focus kept inside, Escape closes, focus returns where it was). */
export default function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const returnTo = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    const cancel = (e: Event) => {
      e.preventDefault();
      onClose();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      returnTo?.focus();
    };
  }, [onClose]);
  return (
    <dialog
      ref={ref}
      className="dialog shortcuts-dialog"
      aria-labelledby="shortcuts-title"
      data-testid="shortcuts-help"
    >
      <h2 id="shortcuts-title" className="dialog-title">
        {t('shortcuts.title')}
      </h2>
      <p className="shortcuts-note">{t('shortcuts.note')}</p>
      <dl className="shortcuts-list">
        {SHORTCUTS.map((s) => (
          <div key={s.action} className="shortcuts-row">
            <dt>
              {s.keys.map((k, i) => (
                <span key={k}>
                  {i > 0 && <span className="shortcuts-then">{k === 'K' ? '+' : t('shortcuts.then')}</span>}
                  <kbd>{k}</kbd>
                </span>
              ))}
            </dt>
            <dd>{t(`shortcuts.does.${s.action}`)}</dd>
          </div>
        ))}
      </dl>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>
          {t('shortcuts.close')}
        </button>
      </div>
    </dialog>
  );
}
