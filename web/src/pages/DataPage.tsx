import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type {
  UploadProfile,
  UploadReport,
  UploadSummary,
  UploadTargetSummary,
  UploadVersion,
} from '../../../contract/index.js';
import { ApiError } from '../api/api-error.js';
import { sendFile, uploads, type UploadProgress } from '../api/uploads-api.js';
import { formatBytes, formatRate, formatShare } from '../app/uploads/upload-format.js';
import { formatLocale } from '../charts/value-format.js';
import { AccountPage, EmptyState, ListSkeleton } from '../components/AccountPage.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { FormError } from '../components/FormError.js';
import { WidgetError } from '../components/WidgetStates.js';

const REPORT_PAGE = 50;
const uploadKeys = {
  targets: () => ['uploads', 'targets'] as const,
  preview: (id: string) => ['uploads', 'preview', id] as const,
  profile: (id: string) => ['uploads', 'profile', id] as const,
  report: (id: string, offset: number) => ['uploads', 'report', id, offset] as const,
  versions: (target: string) => ['uploads', 'versions', target] as const,
  upload: (id: string) => ['uploads', 'upload', id] as const,
};
/** How often an asked-for import's state is fetched until the worker settled it. */
const IMPORT_POLL_MS = 500;

/**
 * The Data page (docs/uploads.md): pick an upload target, drop or choose a file, watch it upload
 * (bytes/s, cancel), then see the preview, the profile and the validation report before importing
 * it into a new version; the versions list rolls back. Editors and admins (`uploads:write`).
 */
export function DataPage() {
  const { t } = useTranslation();
  return (
    <AccountPage page="data" description={t('data.description')}>
      {() => <Targets />}
    </AccountPage>
  );
}

function Targets() {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: uploadKeys.targets(), queryFn: ({ signal }) => uploads.targets(signal) });
  const [chosen, setChosen] = useState<string | null>(null);
  const selectId = useId();
  if (list.isPending) return <ListSkeleton rows={2} />;
  if (list.isError)
    return <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const targets = list.data.targets;
  if (targets.length === 0)
    return (
      <EmptyState title={t('data.noTargets')}>
        <p>
          <Trans i18nKey="data.noTargetsHelp" components={{ code: <code /> }} />
        </p>
      </EmptyState>
    );
  const target = targets.find((x) => x.id === chosen) ?? targets[0];
  if (!target) return null;
  return (
    <>
      {targets.length > 1 && (
        <div className="field field-narrow upload-target-field">
          <label htmlFor={selectId}>{t('data.target')}</label>
          <select id={selectId} value={target.id} onChange={(e) => setChosen(e.target.value)}>
            {targets.map((x) => (
              <option key={x.id} value={x.id}>
                {x.title}
              </option>
            ))}
          </select>
        </div>
      )}
      <TargetView key={target.id} target={target} />
    </>
  );
}

function TargetView({ target }: { target: UploadTargetSummary }) {
  const { t } = useTranslation();
  const [upload, setUpload] = useState<UploadSummary | null>(null);
  return (
    <>
      <section className="panel" aria-labelledby="target-title">
        <h2 id="target-title" className="panel-title">
          {target.title}
        </h2>
        {target.description && <p className="section-summary">{target.description}</p>}
        <p className="section-summary upload-columns">
          {t('data.columns')}{' '}
          {target.columns.map((c, i) => (
            <span key={c.name}>
              {i > 0 && ', '}
              <code>{c.header}</code> {c.type.toLowerCase()}
              {c.required ? ` ${t('data.required')}` : ''}
            </span>
          ))}
          {t('data.modeFormats', {
            mode: target.mode,
            formats: target.formats.join(', '),
            size: formatBytes(target.maxBytes),
          })}
        </p>
        <DropZone target={target} onUploaded={setUpload} />
      </section>
      {upload && <Review key={upload.id} target={target} upload={upload} onDone={() => setUpload(null)} />}
      <Versions target={target} />
    </>
  );
}

type Sending = { readonly name: string; readonly progress: UploadProgress; readonly cancel: () => void };

function DropZone(props: { target: UploadTargetSummary; onUploaded: (u: UploadSummary) => void }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [sending, setSending] = useState<Sending | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [encoding, setEncoding] = useState('auto');
  // The last file sent, kept so another sheet of a workbook can be read without choosing it again.
  const [last, setLast] = useState<{ file: File; summary: UploadSummary } | null>(null);
  const encodingId = useId();
  const sheetId = useId();
  const accept = props.target.formats.map((f) => `.${f}`).join(',');

  const start = (file: File, sheet?: string) => {
    setError(null);
    const job = sendFile(
      props.target.id,
      file,
      (progress) => setSending((s) => (s ? { ...s, progress } : s)),
      { encoding, ...(sheet ? { sheet } : {}) },
    );
    setSending({ name: file.name, progress: { loaded: 0, total: file.size, rate: 0 }, cancel: job.cancel });
    job.done.then(
      (summary) => {
        setSending(null);
        setLast({ file, summary });
        props.onUploaded(summary);
      },
      (err: unknown) => {
        setSending(null);
        setError(err instanceof Error ? err : new Error(String(err)));
      },
    );
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file && !sending) start(file);
  };

  if (sending) {
    const { loaded, total, rate } = sending.progress;
    const percent = total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
    return (
      <div className="upload-progress" data-testid="upload-progress">
        <p>
          <Trans
            i18nKey="data.uploading"
            values={{
              name: sending.name,
              loaded: formatBytes(loaded),
              total: formatBytes(total),
              percent,
              rate: formatRate(rate),
            }}
            components={{ strong: <strong /> }}
          />
        </p>
        <div
          className="progress-track"
          role="progressbar"
          aria-label={t('data.uploadingLabel', { name: sending.name })}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <div className="progress-fill" style={{ width: `${percent}%` }} />
        </div>
        <button type="button" className="button secondary small" onClick={sending.cancel}>
          {t('data.cancelUpload')}
        </button>
      </div>
    );
  }
  return (
    <>
      <div
        className={`drop-zone${over ? ' drop-over' : ''}`}
        data-testid="drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>{t('data.dragHere')}</p>
        <button type="button" className="button" onClick={() => input.current?.click()}>
          {t('data.chooseFile')}
        </button>
        <input
          ref={input}
          type="file"
          accept={accept}
          className="visually-hidden"
          tabIndex={-1}
          aria-label={t('data.fileToUpload')}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) start(file);
          }}
        />
      </div>
      <div className="upload-read-as">
        <label htmlFor={encodingId}>{t('data.encoding')}</label>{' '}
        <select id={encodingId} value={encoding} onChange={(e) => setEncoding(e.target.value)}>
          <option value="auto">{t('data.detect')}</option>
          <option value="utf-8">{t('data.encodings.utf8')}</option>
          <option value="windows-1252">{t('data.encodings.windows1252')}</option>
          <option value="utf-16le">{t('data.encodings.utf16le')}</option>
          <option value="utf-16be">{t('data.encodings.utf16be')}</option>
        </select>
        {last?.summary.readAs?.sheets && last.summary.readAs.sheets.length > 1 && (
          <>
            {' '}
            <label htmlFor={sheetId}>{t('data.sheetOf', { name: last.file.name })}</label>{' '}
            <select
              id={sheetId}
              value={last.summary.readAs.sheet ?? ''}
              onChange={(e) => start(last.file, e.target.value)}
            >
              {last.summary.readAs.sheets.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </>
        )}
        {last?.summary.readAs?.encoding && (
          <span> {t('data.readAs', { encoding: last.summary.readAs.encoding.toUpperCase() })}</span>
        )}
      </div>
      <FormError error={error} />
    </>
  );
}

function Review(props: { target: UploadTargetSummary; upload: UploadSummary; onDone: () => void }) {
  const { t } = useTranslation();
  const { upload, target } = props;
  const queryClient = useQueryClient();
  const report = useQuery({
    queryKey: uploadKeys.report(upload.id, 0),
    queryFn: ({ signal }) => uploads.report(upload.id, { offset: 0, limit: REPORT_PAGE }, signal),
  });
  // The import is the worker's: the request answers at once (queued), then the upload's state is
  // polled until it is imported, rejected or failed (docs/uploads.md, "Several instances").
  const doImport = useMutation({ mutationFn: () => uploads.importUpload(upload.id) });
  const state = useQuery({
    queryKey: uploadKeys.upload(upload.id),
    queryFn: ({ signal }) => uploads.get(upload.id, signal),
    enabled: doImport.isSuccess,
    refetchInterval: (q) => (settled(q.state.data?.status) ? false : IMPORT_POLL_MS),
  });
  const now = state.data ?? doImport.data;
  const done = now?.status === 'imported';
  useEffect(() => {
    if (done) void queryClient.invalidateQueries({ queryKey: uploadKeys.versions(target.id) });
  }, [done, queryClient, target.id]);
  const r = now?.result;
  const imported =
    done && r
      ? t('data.live', {
          version: r.version.version,
          count: r.version.rows,
          n: r.version.rows,
          diff:
            r.rowDiff === null
              ? ''
              : t('data.rowDiff', {
                  count: Math.abs(r.rowDiff),
                  n: `${r.rowDiff >= 0 ? '+' : ''}${r.rowDiff}`,
                }),
          skipped: r.skippedRows ? t('data.skipped', { count: r.skippedRows, n: r.skippedRows }) : '',
        })
      : null;
  const waiting =
    now?.status === 'queued'
      ? now.ahead
        ? t('data.queuedBehind', { count: now.ahead, n: now.ahead })
        : t('data.queued')
      : now?.status === 'importing'
        ? t('data.importing')
        : null;
  const failed =
    (now?.status === 'failed' || now?.status === 'rejected') && now.errorCode
      ? new ApiError({
          code: now.errorCode,
          message: t(`errors.${now.errorCode}` as 'errors.NOT_FOUND', { defaultValue: now.errorCode }),
          status: 0,
        })
      : null;
  return (
    <section className="panel upload-review" aria-labelledby="review-title" data-testid="upload-review">
      <div className="section-toolbar">
        <h2 id="review-title" className="panel-title">
          {upload.fileName} <span className="count">{formatBytes(upload.bytes)}</span>
        </h2>
        <button type="button" className="button ghost small" onClick={props.onDone}>
          {t('ui.close')}
        </button>
      </div>
      <Preview id={upload.id} />
      <Profile id={upload.id} />
      <Report id={upload.id} first={report.data} />
      <div className="form-actions upload-import">
        {imported ? (
          <p className="form-success" role="status">
            {imported}
          </p>
        ) : waiting ? (
          <p className="section-summary" role="status" data-testid="upload-import-state">
            {waiting}
          </p>
        ) : failed ? null : (
          <>
            <button
              type="button"
              className="button"
              disabled={!report.data?.importable || doImport.isPending}
              onClick={() => doImport.mutate()}
            >
              {doImport.isPending ? t('data.importing') : t('data.import')}
            </button>
            {report.data && !report.data.importable && (
              <p className="section-summary">{report.data.blockedBy}</p>
            )}
            {report.data?.importable && report.data.invalidRows > 0 && (
              <p className="section-summary">
                {t('data.willSkip', { count: report.data.invalidRows, n: report.data.invalidRows })}
              </p>
            )}
          </>
        )}
      </div>
      <FormError error={doImport.error ?? state.error ?? failed} />
    </section>
  );
}

function Preview({ id }: { id: string }) {
  const { t } = useTranslation();
  const preview = useQuery({
    queryKey: uploadKeys.preview(id),
    queryFn: ({ signal }) => uploads.preview(id, signal),
  });
  return (
    <div className="account-section" data-testid="upload-preview">
      <h3 className="section-title">{t('data.preview')}</h3>
      {preview.isPending && <ListSkeleton rows={3} />}
      {preview.isError && <FormError error={preview.error} />}
      {preview.data && (
        <>
          <p className="section-summary">
            {t('data.firstRows', { count: preview.data.rows.length })}
            {preview.data.missing.length > 0 &&
              ` ${t('data.missing', { names: preview.data.missing.join(', ') })}`}
            {preview.data.extra.length > 0 && ` ${t('data.extra', { names: preview.data.extra.join(', ') })}`}
          </p>
          <div className="table-scroll upload-table">
            <table className="data-table">
              <thead>
                <tr>
                  {preview.data.columns.map((c) => (
                    <th key={c.header} scope="col">
                      {c.header}
                      <span className="column-types">
                        {c.inferredType.toLowerCase()}
                        {c.declaredType
                          ? ` → ${c.declaredType.toLowerCase()}`
                          : ` · ${t('data.notDeclared')}`}
                      </span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.data.rows.slice(0, 10).map((row, r) => (
                  <tr key={r}>
                    {row.map((v, i) => (
                      <td key={i}>{v ?? <span className="null">{t('data.null')}</span>}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

function Profile({ id }: { id: string }) {
  const { t } = useTranslation();
  const profile = useQuery({
    queryKey: uploadKeys.profile(id),
    queryFn: ({ signal }) => uploads.profile(id, signal),
  });
  return (
    <div className="account-section" data-testid="upload-profile">
      <h3 className="section-title">{t('data.profile')}</h3>
      {profile.isPending && <ListSkeleton rows={3} />}
      {profile.isError && <FormError error={profile.error} />}
      {profile.data && <ProfileBody profile={profile.data} />}
    </div>
  );
}

function ProfileBody({ profile }: { profile: UploadProfile }) {
  const { t } = useTranslation();
  const q = profile.quality;
  return (
    <>
      <p className="quality">
        <span className={`quality-score ${q.score >= 90 ? 'good' : q.score >= 60 ? 'fair' : 'poor'}`}>
          {q.score}
        </span>
        <span>
          {t('data.quality', {
            count: profile.rows,
            n: profile.rows,
            filled: formatShare(q.filled),
            typed: formatShare(q.typed),
            uniqueRows: formatShare(q.uniqueRows),
            uniqueKeys: formatShare(q.uniqueKeys),
          })}{' '}
          {profile.duplicateKeys !== null
            ? t('data.duplicatesAndKeys', { rows: profile.duplicateRows, keys: profile.duplicateKeys })
            : t('data.duplicates', { rows: profile.duplicateRows })}
        </span>
      </p>
      {profile.approximation && (
        <p className="field-hint" data-testid="profile-approximate">
          {t('data.approximateNote', { rows: profile.approximation.exactRows })}
        </p>
      )}
      <div className="table-scroll upload-table">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('data.column')}</th>
              <th scope="col" className="num">
                {t('data.emptyShare')}
              </th>
              <th scope="col" className="num">
                {t('data.distinct')}
              </th>
              <th scope="col">{t('data.min')}</th>
              <th scope="col">{t('data.max')}</th>
              <th scope="col" className="num">
                {t('data.mean')}
              </th>
              <th scope="col" className="num">
                {t('data.outliers')}
              </th>
              <th scope="col">{t('data.mostFrequent')}</th>
            </tr>
          </thead>
          <tbody>
            {profile.columns.map((c) => (
              <tr key={c.header}>
                <th scope="row">{c.header}</th>
                <td className="num">{formatShare(c.nullShare)}</td>
                <td className="num">
                  <Approx on={profile.approximate} />
                  {c.distinct}
                </td>
                <td>{c.min ?? '–'}</td>
                <td>{c.max ?? '–'}</td>
                <td className="num">
                  {c.mean === null
                    ? '–'
                    : c.mean.toLocaleString(formatLocale(), { maximumFractionDigits: 2 })}
                </td>
                <td className="num">
                  {c.outliers !== null && <Approx on={profile.approximate} />}
                  {c.outliers ?? '–'}
                </td>
                <td className="prose">{c.top.map((x) => `${x.value} (${x.count})`).join(', ') || '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** "≈" before an estimated figure (read out as "approximately"). */
function Approx({ on }: { on: boolean }) {
  const { t } = useTranslation();
  if (!on) return null;
  return (
    <>
      <span aria-hidden="true" title={t('data.approximately')}>
        ≈{' '}
      </span>
      <span className="visually-hidden">{t('data.approximately')} </span>
    </>
  );
}

function Report({ id, first }: { id: string; first: UploadReport | undefined }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const page = useQuery({
    queryKey: uploadKeys.report(id, offset),
    queryFn: ({ signal }) => uploads.report(id, { offset, limit: REPORT_PAGE }, signal),
    enabled: offset > 0,
  });
  const report = offset === 0 ? first : page.data;
  return (
    <div className="account-section" data-testid="upload-report">
      <div className="section-toolbar">
        <h3 className="section-title">{t('data.report')}</h3>
        {report && report.failuresTotal + report.problems.length > 0 && (
          <a className="button secondary small" href={uploads.reportCsvUrl(id)} download>
            {t('data.downloadReport')}
          </a>
        )}
      </div>
      {!report && <ListSkeleton rows={2} />}
      {report && (
        <>
          <p className="section-summary" role="status">
            {t('data.summary', {
              count: report.totalRows,
              n: report.totalRows,
              valid: report.validRows,
              invalid: report.invalidRows,
            })}
            {report.failuresTotal > report.failuresStored &&
              t('data.kept', { stored: report.failuresStored, total: report.failuresTotal })}
            .
          </p>
          {report.problems.length > 0 && (
            <ul className="upload-problems">
              {report.problems.map((p) => (
                <li key={`${p.rule}:${p.column}`}>
                  <strong>{t(`data.problems.${p.rule}`)}</strong> {p.column && <code>{p.column}</code>}
                </li>
              ))}
            </ul>
          )}
          {report.failures.length > 0 ? (
            <>
              <div className="table-scroll upload-table">
                <table className="data-table">
                  <thead>
                    <tr>
                      <th scope="col" className="num">
                        {t('data.row')}
                      </th>
                      <th scope="col">{t('data.column')}</th>
                      <th scope="col">{t('data.value')}</th>
                      <th scope="col">{t('data.rule')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.failures.map((f, i) => (
                      <tr key={`${f.row}:${f.column}:${f.rule}:${i}`}>
                        <td className="num">{f.row}</td>
                        <td>{f.column}</td>
                        <td>{f.value ?? <span className="null">{t('data.emptyValue')}</span>}</td>
                        <td>{t(`data.rules.${f.rule}`)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div className="pager">
                <span className="pager-range">
                  {t('data.failures', {
                    first: offset + 1,
                    last: offset + report.failures.length,
                    total: report.failuresStored,
                  })}
                </span>
                <span className="pager-buttons">
                  <button
                    type="button"
                    className="button secondary small"
                    disabled={offset === 0}
                    onClick={() => setOffset(Math.max(0, offset - REPORT_PAGE))}
                  >
                    {t('data.previous')}
                  </button>
                  <button
                    type="button"
                    className="button secondary small"
                    disabled={offset + REPORT_PAGE >= report.failuresStored}
                    onClick={() => setOffset(offset + REPORT_PAGE)}
                  >
                    {t('data.next')}
                  </button>
                </span>
              </div>
            </>
          ) : (
            report.problems.length === 0 && <p className="section-summary">{t('data.allPass')}</p>
          )}
        </>
      )}
    </div>
  );
}

function Versions({ target }: { target: UploadTargetSummary }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: uploadKeys.versions(target.id),
    queryFn: ({ signal }) => uploads.versions(target.id, signal),
  });
  const [asked, setAsked] = useState<UploadVersion | null>(null);
  const rollback = useMutation({
    mutationFn: (version: number) => uploads.rollback(target.id, version),
    onSuccess: async () => {
      setAsked(null);
      await queryClient.invalidateQueries({ queryKey: uploadKeys.versions(target.id) });
    },
  });
  return (
    <section className="account-section" aria-labelledby="versions-title" data-testid="upload-versions">
      <h2 id="versions-title" className="section-title">
        {t('data.versions')}
      </h2>
      {list.isPending && <ListSkeleton rows={2} />}
      {list.isError && (
        <WidgetError error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      )}
      {list.data && list.data.versions.length === 0 && (
        <EmptyState title={t('data.noVersions')}>
          <p>{t('data.noVersionsHelp')}</p>
        </EmptyState>
      )}
      {list.data && list.data.versions.length > 0 && (
        <div className="table-scroll">
          <table className="data-table account-table">
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('data.version')}
                </th>
                <th scope="col">{t('exports.status')}</th>
                <th scope="col">{t('exports.file')}</th>
                <th scope="col" className="num">
                  {t('exports.rows')}
                </th>
                <th scope="col">{t('data.imported')}</th>
                <th scope="col">{t('data.checksum')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('exports.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.versions.map((v) => (
                <tr key={v.version}>
                  <td className="num">{v.version}</td>
                  <td>
                    <span className={`badge state badge-version-${v.status}`}>
                      {t(`data.versionStatus.${v.status}`)}
                    </span>
                  </td>
                  <td>{v.fileName}</td>
                  <td className="num">{v.rows.toLocaleString(formatLocale())}</td>
                  <td>{new Date(v.createdAt).toLocaleString(formatLocale())}</td>
                  <td>
                    <code title={v.checksum}>{v.checksum.slice(0, 12)}</code>
                  </td>
                  <td>
                    {v.status === 'kept' && (
                      <button type="button" className="button secondary small" onClick={() => setAsked(v)}>
                        {t('data.rollBackTo', { version: v.version })}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {asked && (
        <ConfirmDialog
          title={t('data.rollBackTitle', { version: asked.version })}
          confirmLabel={t('data.rollBack')}
          danger
          pending={rollback.isPending}
          error={rollback.error}
          onConfirm={() => rollback.mutate(asked.version)}
          onCancel={() => {
            setAsked(null);
            rollback.reset();
          }}
        >
          <p>
            {t('data.rollBackHelp', {
              version: asked.version,
              file: asked.fileName,
              count: asked.rows,
              n: asked.rows.toLocaleString(formatLocale()),
            })}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** An upload's state that no longer changes by itself (the worker is done with it). */
function settled(status: UploadSummary['status'] | undefined): boolean {
  return status !== undefined && status !== 'queued' && status !== 'importing';
}
