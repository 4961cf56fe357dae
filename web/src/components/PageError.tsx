import { isApiError } from '../api/api-error.js';
import { Link } from '../app/routing/Link.js';

/** A whole page that could not load: the message, the request id, and a way on. */
export function PageError({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const notFound = isApiError(error) && error.status === 404;
  return (
    <main className="page" id="main">
      <div className="page-error" role="alert">
        <h1>{notFound ? 'Not found' : 'Something went wrong'}</h1>
        <p>{error.message}</p>
        {isApiError(error) && error.requestId && (
          <p className="request-id">
            Request id: <code>{error.requestId}</code>
          </p>
        )}
        <p className="page-error-actions">
          {!notFound && onRetry && (
            <button type="button" className="button" onClick={onRetry}>
              Retry
            </button>
          )}
          <Link href="/" className="button secondary">
            All dashboards
          </Link>
        </p>
      </div>
    </main>
  );
}
