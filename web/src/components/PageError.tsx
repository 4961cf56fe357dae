import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/api-error.js';
import { errorText } from '../app/i18n/error-message.js';
import { Link } from '../app/routing/Link.js';

/** A whole page that could not load: the message, the request id, and a way on. */
export function PageError({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const notFound = isApiError(error) && error.status === 404;
  const { t, i18n } = useTranslation();
  return (
    <main className="page" id="main">
      <div className="page-error" role="alert">
        <h1>{notFound ? t('common.notFound') : t('common.somethingWrong')}</h1>
        <p>{errorText(error, t, i18n.language)}</p>
        {isApiError(error) && error.requestId && (
          <p className="request-id">
            {t('common.requestId')} <code>{error.requestId}</code>
          </p>
        )}
        <p className="page-error-actions">
          {!notFound && onRetry && (
            <button type="button" className="button" onClick={onRetry}>
              {t('common.retry')}
            </button>
          )}
          <Link href="/" className="button secondary">
            {t('common.allDashboards')}
          </Link>
        </p>
      </div>
    </main>
  );
}
