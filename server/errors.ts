/**
 * The one error catalogue. Every error a client can see has a stable code, an HTTP status and a
 * user-safe message here; docs/errors.md lists the same codes (a test compares them). Details for
 * operators go to the log through `detail`, never to the client.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  INVALID_FILTER_VALUE: { status: 400, message: 'A filter value does not fit its filter.' },
  UNKNOWN_FILTER: { status: 400, message: 'The request names a filter that this dashboard does not have.' },
  SORT_NOT_ALLOWED: { status: 400, message: 'This widget cannot be sorted by that column.' },
  PAGINATION_NOT_SUPPORTED: { status: 400, message: 'Only table widgets can be paged or sorted.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the request body as application/json.' },
  HOST_NOT_ALLOWED: {
    status: 421,
    message: 'This server does not answer for this host name.',
  },
  NOT_FOUND: { status: 404, message: 'There is nothing at this address.' },
  DASHBOARD_NOT_FOUND: { status: 404, message: 'There is no dashboard with this id.' },
  WIDGET_NOT_FOUND: { status: 404, message: 'This dashboard has no widget with this id.' },
  FILTER_NOT_FOUND: { status: 404, message: 'This dashboard has no filter with this id.' },
  FILTER_HAS_NO_OPTIONS: { status: 400, message: 'Only multi-select filters have a list of options.' },
  RESULT_TOO_LARGE: {
    status: 422,
    message: 'The result is larger than this server allows; narrow the filters.',
  },
  QUERY_TIMEOUT: { status: 504, message: 'The query took longer than this server allows and was stopped.' },
  QUERY_CANCELLED: { status: 499, message: 'The query was cancelled because the client went away.' },
  SOURCE_BUSY: { status: 503, message: 'The data source is busy; try again in a moment.' },
  SOURCE_UNAVAILABLE: { status: 503, message: 'The data source cannot be reached.' },
  QUERY_FAILED: { status: 500, message: 'The query failed. The error was logged with this request id.' },
  NOT_READY: { status: 503, message: 'The server is starting or stopping.' },
  TOO_MANY_STREAMS: {
    status: 503,
    message: 'Too many pages are listening for updates; this page will refresh on its own schedule.',
  },
  INVALID_CREDENTIALS: { status: 401, message: 'The email address or password is not right.' },
  UNAUTHENTICATED: { status: 401, message: 'Sign in to continue.' },
  TOO_MANY_ATTEMPTS: {
    status: 429,
    message: 'Too many failed sign-in attempts. Wait a while before trying again.',
  },
  RATE_LIMITED: {
    status: 429,
    message: 'Too many requests from you in a short time; wait a moment and try again.',
  },
  SIGN_IN_BUSY: {
    status: 503,
    message: 'Too many sign-ins are being checked at once; try again in a moment.',
  },
  FORBIDDEN: { status: 403, message: 'Your role does not allow this.' },
  CSRF_FAILED: {
    status: 403,
    message: 'The request did not come from this site. Reload the page and try again.',
  },
  MEMBER_NOT_FOUND: { status: 404, message: 'This organisation has no member with this id.' },
  MEMBER_EXISTS: { status: 409, message: 'This user is already a member of the organisation.' },
  LAST_ADMIN: { status: 409, message: 'The organisation must keep at least one active admin.' },
  WEAK_PASSWORD: { status: 400, message: 'The password is too weak.' },
  ACCOUNT_NOT_MANAGED: {
    status: 403,
    message:
      'This user also belongs to another organisation: only they (or the server operator) can change their password or account state.',
  },
  INVITATION_INVALID: { status: 404, message: 'This invitation is unknown, used, revoked or expired.' },
  INVITATION_NOT_FOUND: { status: 404, message: 'This organisation has no pending invitation with this id.' },
  INVITATION_WRONG_ACCOUNT: {
    status: 403,
    message: 'This invitation is for another email address. Sign in as that address to accept it.',
  },
  ACCOUNT_EXISTS: {
    status: 409,
    message: 'This address already has an account. Sign in with it to accept the invitation.',
  },
  CURRENT_PASSWORD_WRONG: { status: 403, message: 'The current password is not right.' },
  RESET_LINK_INVALID: { status: 400, message: 'This password reset link is unknown, used or expired.' },
  MAIL_NOT_CONFIGURED: {
    status: 501,
    message:
      'This server does not send e-mail. Ask an administrator of your organisation to reset your password.',
  },
  MAIL_FAILED: {
    status: 502,
    message: 'The e-mail could not be sent. The error was logged with this request id.',
  },
  SESSION_NOT_FOUND: { status: 404, message: 'You have no live session with this id.' },
  TOKEN_NOT_FOUND: { status: 404, message: 'You have no API token with this id.' },
  TOKEN_LIMIT: { status: 409, message: 'You have too many live API tokens; revoke one first.' },
  LINK_INVALID: { status: 401, message: 'This sign-in link is unknown, used or expired.' },
  PIPELINE_NOT_FOUND: { status: 404, message: 'There is no pipeline with this id.' },
  RUN_NOT_FOUND: { status: 404, message: 'There is no pipeline run with this id.' },
  RUN_NOT_RETRYABLE: {
    status: 409,
    message: 'Only the failed rows of a finished enrichment run can be run again.',
  },
  PIPELINE_ALREADY_RUNNING: {
    status: 409,
    message: 'This pipeline is already running. Wait for it to finish, or queue this run behind it.',
  },
  QUEUE_FULL: { status: 503, message: 'Too many jobs are waiting; try again in a while.' },
  JOB_TIMEOUT: { status: 504, message: 'The job ran longer than allowed and was stopped.' },
  PIPELINE_FAILED: {
    status: 502,
    message: 'The pipeline run failed; what it wrote up to its last checkpoint is kept.',
  },
  PIPELINE_LIMIT_REACHED: {
    status: 422,
    message: 'The pipeline run reached a limit of its pipeline file and stopped.',
  },
  UPLOAD_TARGET_NOT_FOUND: { status: 404, message: 'There is no upload target with this id.' },
  UPLOAD_NOT_FOUND: { status: 404, message: 'There is no upload with this id.' },
  UPLOAD_INVALID_REQUEST: {
    status: 400,
    message: 'Send exactly one file as multipart/form-data in the field "file".',
  },
  UPLOAD_EMPTY: { status: 400, message: 'The file is empty.' },
  UPLOAD_TOO_LARGE: { status: 413, message: 'The file is larger than this upload target allows.' },
  UPLOAD_FORMAT_NOT_ACCEPTED: {
    status: 415,
    message: 'This upload target does not accept files of this type.',
  },
  UPLOAD_FORMAT_MISMATCH: {
    status: 415,
    message: 'The file’s content does not match its type (a binary or differently formatted file).',
  },
  UPLOAD_UNREADABLE: {
    status: 422,
    message: 'The file could not be read as its format (broken, truncated, or not yet readable here).',
  },
  UPLOAD_ABORTED: { status: 400, message: 'The upload was interrupted before the file was complete.' },
  UPLOAD_TOO_MANY_COLUMNS: {
    status: 422,
    message: 'The file has more columns than this upload target allows.',
  },
  UPLOAD_INVALID: {
    status: 422,
    message: 'The file does not pass the target’s rules; see its validation report. Nothing was imported.',
  },
  UPLOAD_ALREADY_IMPORTED: { status: 409, message: 'This upload was already imported or rejected.' },
  UPLOAD_VERSION_NOT_FOUND: { status: 404, message: 'There is no such version of this upload target.' },
  UPLOAD_TARGET_CONFLICT: {
    status: 409,
    message:
      'The upload target’s table cannot be written (its schema differs); an administrator must fix it.',
  },
  UPLOAD_ENCODING: {
    status: 422,
    message: 'The file’s text encoding could not be read; save it as UTF-8 or choose its encoding.',
  },
  UPLOAD_LINE_TOO_LONG: {
    status: 413,
    message: 'A line of the file is longer than this upload target allows.',
  },
  UPLOAD_XLSX_TOO_LARGE: {
    status: 413,
    message: 'The workbook unpacks to more data than this upload target allows.',
  },
  UPLOAD_SHEET_NOT_FOUND: { status: 422, message: 'The workbook has no such sheet.' },
  UPLOAD_IMPORT_INTERRUPTED: {
    status: 409,
    message: 'The import was interrupted (the server stopped); nothing was imported. Import the file again.',
  },
  EXPORT_DISABLED: { status: 403, message: 'This dashboard does not allow downloads.' },
  EXPORT_TOO_LARGE: {
    status: 422,
    message: 'The export would hold more rows than this dataset allows; narrow the filters.',
  },
  EXPORT_FORMAT_UNSUPPORTED: {
    status: 422,
    message: "This widget's data source cannot be exported in that format; choose another format.",
  },
  EXPORTS_BUSY: { status: 503, message: 'Too many downloads are running; try again in a moment.' },
  PRESET_NOT_FOUND: { status: 404, message: 'There is no preset with this id on this dashboard.' },
  PRESET_LIMIT: {
    status: 409,
    message: 'This dashboard has as many saved presets as allowed; delete one first.',
  },
  DRILL_INVALID: { status: 400, message: 'This drill-down path does not fit the widget.' },
  PRESET_TOO_LARGE: { status: 413, message: 'The preset holds more filter values than allowed.' },
  LAYOUT_INVALID: { status: 400, message: "This layout does not fit the dashboard's widgets." },
  EXPORT_NOT_FOUND: { status: 404, message: 'There is no export with this id.' },
  EXPORT_NOT_READY: { status: 409, message: 'This export is not ready for download.' },
  EXPORT_NOT_RUNNING: { status: 409, message: 'This export has already finished.' },
  EXPORT_EXPIRED: {
    status: 410,
    message: 'This export file was deleted after its retention time; export again.',
  },
  PIPELINE_LOCK_BUSY: {
    status: 409,
    message: 'The resource this pipeline needs is in use by another run; try again when it has finished.',
  },
  PDF_RENDER_TIMEOUT: {
    status: 504,
    message: 'The dashboard took too long to print; try fewer widgets or narrower filters.',
  },
  PDF_RENDER_FAILED: {
    status: 502,
    message: 'The dashboard could not be printed. The error was logged with this request id.',
  },
  WEBHOOK_URL_FORBIDDEN: {
    status: 400,
    message:
      'This webhook address is not allowed: it must be http(s) and reach a public address (not loopback, private or link-local).',
  },
  WEBHOOK_FAILED: { status: 502, message: 'The webhook did not accept the report.' },
  SUBSCRIPTION_NOT_FOUND: { status: 404, message: 'There is no subscription with this id.' },
  SUBSCRIPTION_LIMIT: {
    status: 409,
    message: 'You have as many subscriptions as allowed; delete one first.',
  },
  ALERT_NOT_FOUND: { status: 404, message: 'There is no alert with this id.' },
  ALERT_LIMIT: { status: 409, message: 'You have as many alerts as allowed; delete one first.' },
  ALERT_WIDGET_NOT_KPI: { status: 400, message: 'Alerts can only be set on a KPI widget.' },
  SCHEDULE_INVALID: { status: 400, message: 'The schedule is not a valid cron expression or time zone.' },
  REPORT_TOO_LARGE: {
    status: 422,
    message: 'The report is larger than this server sends; narrow the filters or choose another format.',
  },
  REPORT_MAIL_UNAVAILABLE: {
    status: 409,
    message: 'This server has no outgoing e-mail configured; choose a webhook instead.',
  },
  PIPELINE_INPUTS_INVALID: {
    status: 400,
    message: 'The inputs for this run are not valid; see each field.',
  },
  INTERNAL: {
    status: 500,
    message: 'Something went wrong on the server. The error was logged with this request id.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Answers the server gives by design under load or to a client's own mistake: refusals (busy, not
 * ready, throttled), limits reached (timeout), cancellations and every 4xx. Their stack trace says
 * nothing an operator needs (the code and detail do) and capturing one per throw is what makes
 * shedding load expensive (performance.md: 7.5 % of busy time building SOURCE_BUSY refusals), so
 * none is captured. 5xx that mean something broke (QUERY_FAILED, INTERNAL, SOURCE_UNAVAILABLE) keep
 * theirs, and so does any `cause`.
 */
export function isExpectedError(code: ErrorCode): boolean {
  return ERROR_CATALOGUE[code].status < 500 || OPERATIONAL_5XX.has(code);
}

/**
 * Refusals that shed load by design (a full queue, a user over their rate, a full stream table): logged
 * as warnings without a stack and counted in `trellis_overload_total`, not as errors — an operator
 * watches their rate, not each one.
 */
export function isOverload(code: ErrorCode): boolean {
  return OVERLOAD.has(code);
}

const OVERLOAD: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SOURCE_BUSY',
  'TOO_MANY_STREAMS',
  'RATE_LIMITED',
  'SIGN_IN_BUSY',
  'QUEUE_FULL',
]);

const OPERATIONAL_5XX: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SOURCE_BUSY',
  'QUERY_TIMEOUT',
  'NOT_READY',
  'TOO_MANY_STREAMS',
  'SIGN_IN_BUSY',
  'QUEUE_FULL',
  'JOB_TIMEOUT',
  'EXPORTS_BUSY',
  'MAIL_NOT_CONFIGURED',
]);

export class TrellisError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    options: {
      /** A more specific user-safe message; defaults to the catalogue's. */
      message?: string;
      /** Operator-facing detail: logged, never sent. */
      detail?: Record<string, unknown>;
      issues?: readonly ErrorIssue[];
      /** Sent as Retry-After (seconds) when set. */
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    // V8 captures the stack inside Error's constructor, up to Error.stackTraceLimit frames. (No
    // try/finally here: the parameter property must be assigned straight after super, and Error's
    // constructor does not throw.)
    const limit = Error.stackTraceLimit;
    if (isExpectedError(code)) Error.stackTraceLimit = 0;
    super(
      options.message ?? ERROR_CATALOGUE[code].message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    Error.stackTraceLimit = limit;
    this.name = 'TrellisError';
    this.status = ERROR_CATALOGUE[code].status;
    this.detail = options.detail;
    this.issues = options.issues;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  readonly retryAfterSeconds: number | undefined;

  readonly detail: Record<string, unknown> | undefined;
  readonly issues: readonly ErrorIssue[] | undefined;
}

export function isTrellisError(err: unknown): err is TrellisError {
  return err instanceof TrellisError;
}
