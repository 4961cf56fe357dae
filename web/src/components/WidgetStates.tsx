import type { WidgetType } from '../../../contract/index.js';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/api-error.js';
import { errorText } from '../app/i18n/error-message.js';

/** Placeholder shaped like what is coming, so the page does not jump when data arrives. */
export function WidgetSkeleton({ type }: { type: WidgetType }) {
  if (type === 'kpi') return <div className="skeleton skeleton-kpi" aria-hidden="true" />;
  if (type === 'table')
    return (
      <div className="skeleton-table" aria-hidden="true">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="skeleton skeleton-row" />
        ))}
      </div>
    );
  return <div className="skeleton skeleton-chart" aria-hidden="true" />;
}

/** The server's user-safe message and the request id an operator can find in the log. */
export function WidgetError({
  error,
  onRetry,
  retrying,
}: {
  error: Error;
  onRetry: () => void;
  retrying: boolean;
}) {
  const { t, i18n } = useTranslation();
  const requestId = isApiError(error) ? error.requestId : undefined;
  const code = isApiError(error) ? error.code : undefined;
  return (
    <div className="widget-error" role="alert">
      <p className="widget-error-message">{errorText(error, t, i18n.language)}</p>
      <p className="widget-error-meta">
        {code && <span className="error-code">{code}</span>}
        {requestId && (
          <span className="request-id">
            {t('common.requestId')} <code>{requestId}</code>
          </span>
        )}
      </p>
      <button type="button" className="button" onClick={onRetry} disabled={retrying}>
        {retrying ? t('common.retrying') : t('common.retry')}
      </button>
    </div>
  );
}

export function WidgetEmpty() {
  const { t } = useTranslation();
  return (
    <div className="widget-empty">
      <p>{t('widget.noData')}</p>
    </div>
  );
}
