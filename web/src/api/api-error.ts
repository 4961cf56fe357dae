import type { ErrorBody } from '../../../contract/index.js';

/** Codes the client makes up itself when the server never produced an error body. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE';

/**
 * Every failed API call becomes one of these, so components can show the server's user-safe message
 * and the request id that operators find in the log, whatever went wrong.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;
  readonly issues: ErrorBody['issues'];

  constructor(init: {
    code: string;
    message: string;
    status: number;
    requestId?: string | undefined;
    issues?: ErrorBody['issues'];
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.issues = init.issues;
  }

  /** Worth another try: the network, a busy source, a timeout. Never 4xx, never a logged 500. */
  get transient(): boolean {
    return this.code === 'NETWORK_ERROR' || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** Reads the one error body shape, tolerating anything else a proxy might send instead. */
export function toApiError(status: number, body: unknown, headerRequestId: string | null): ApiError {
  if (isErrorBody(body))
    return new ApiError({
      code: body.error,
      message: body.message,
      status,
      requestId: body.requestId,
      issues: body.issues,
    });
  return new ApiError({
    code: 'BAD_RESPONSE',
    message: `The server answered with HTTP ${status}.`,
    status,
    requestId: headerRequestId ?? undefined,
  });
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.error === 'string' && typeof b.message === 'string' && typeof b.requestId === 'string';
}
