import { isApiError } from '../api/api-error.js';
import { useTranslation } from 'react-i18next';

/** A failed action next to its form: the server's user-safe message, code and request id. */
export function FormError({ error, message }: { error: Error | null; message?: string | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  const api = isApiError(error) ? error : undefined;
  return (
    <div className="form-error" role="alert">
      <p className="form-error-message">{message ?? error.message}</p>
      {api && (api.requestId || api.code) && (
        <p className="widget-error-meta">
          <span className="error-code">{api.code}</span>
          {api.requestId && (
            <span className="request-id">
              {t('common.requestId')} <code>{api.requestId}</code>
            </span>
          )}
        </p>
      )}
      {api?.issues && api.issues.length > 0 && (
        <ul className="form-error-issues">
          {api.issues.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              {i.path ? <code>{i.path}</code> : null} {i.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
