import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DevProjectStatus } from '../../../contract/index.js';

/**
 * `trellis dev`: the project's files do not check. Shown over the page (which keeps the last version
 * that did), with each problem as `file:line: message`; gone by itself when a saved fix checks. Hide
 * hides this list until the problems change. Announced (role=alert) without taking the focus: the
 * author may be using the page's filters while editing.
 */
export function DevProblems({ status }: { status: DevProjectStatus | undefined }) {
  const [hidden, setHidden] = useState<DevProjectStatus>();
  const { t } = useTranslation();
  const visible = status !== undefined && status.problemCount > 0 && hidden !== status;
  if (!visible) return null;
  const more = status.problemCount - status.problems.length;
  return (
    <section
      className="dev-problems"
      role="alert"
      aria-labelledby="dev-problems-title"
      data-testid="dev-problems"
    >
      <header className="dev-problems-header">
        <h2 id="dev-problems-title">{t('dev.problems', { count: status.problemCount })}</h2>
        <button type="button" className="button ghost small" onClick={() => setHidden(status)}>
          {t('dev.hide')}
        </button>
      </header>
      <ul className="dev-problems-list">
        {status.problems.map((p, i) => (
          <li key={`${p.file}:${p.line}:${i}`}>
            <code>
              {p.file}:{p.line}
            </code>
            : {p.message}
          </li>
        ))}
      </ul>
      {more > 0 && <p className="dev-problems-note">{t('dev.more', { count: more })}</p>}
      <p className="dev-problems-note">{t('dev.note')}</p>
    </section>
  );
}
