import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { dismissToast, toastLifetimeMs, useToasts, type Toast } from '../app/shell/toasts.js';

/**
 * The toasts of any page, bottom right: a polite live region (failures assertive), each with a
 * dismiss button, gone by themselves after a while.
 */
export function Toaster() {
  const toasts = useToasts();
  const { t: tr } = useTranslation();
  return (
    <div className="toaster" aria-label={tr('ui.notifications')} role="region">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  const { t } = useTranslation();
  useEffect(() => {
    const timer = setTimeout(() => dismissToast(toast.id), toastLifetimeMs(toast.kind));
    return () => clearTimeout(timer);
  }, [toast.id, toast.kind]);
  return (
    <div
      className={`toast toast-${toast.kind}`}
      role={toast.kind === 'error' ? 'alert' : 'status'}
      data-testid="toast"
      data-kind={toast.kind}
    >
      <div className="toast-text">
        <p className="toast-title">{toast.title}</p>
        <p className="toast-message">{toast.message}</p>
      </div>
      <button
        type="button"
        className="button ghost small toast-close"
        aria-label={t('ui.dismiss', { title: toast.title })}
        onClick={() => dismissToast(toast.id)}
      >
        ✕
      </button>
    </div>
  );
}
