import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { useState, type FormEvent } from 'react';
import type { OrganisationInfo } from '../../../contract/index.js';
import { renameOrganisationMutation } from '../api/accounts-mutations.js';
import { organisationQuery } from '../api/accounts-queries.js';
import { formatDateTime } from '../app/accounts/account-format.js';
import { Link } from '../app/routing/Link.js';
import { ACCOUNT_PAGES } from '../app/routing/routes.js';
import { AccountPage, ListSkeleton } from '../components/AccountPage.js';
import { FormError } from '../components/FormError.js';
import { WidgetError } from '../components/WidgetStates.js';

/** Admins: the organisation (tenant) of the session, and its display name. */
export function AdminOrganisationPage() {
  return <AccountPage page="admin-organisation">{() => <Organisation />}</AccountPage>;
}

function Organisation() {
  const { t } = useTranslation();
  const org = useQuery(organisationQuery());
  if (org.isPending) return <ListSkeleton rows={3} />;
  if (org.isError)
    return <WidgetError error={org.error} onRetry={() => void org.refetch()} retrying={org.isFetching} />;
  return (
    <>
      <section className="panel" aria-labelledby="org-facts">
        <h2 id="org-facts" className="panel-title">
          {org.data.name}
        </h2>
        <dl className="facts">
          <dt>{t('organisation.slug')}</dt>
          <dd>
            <code>{org.data.slug}</code>
          </dd>
          <dt>{t('pages.admin-members')}</dt>
          <dd>
            <Link href={ACCOUNT_PAGES['admin-members'].path}>{org.data.memberCount}</Link>
          </dd>
          <dt>{t('organisation.created')}</dt>
          <dd>{formatDateTime(org.data.createdAt)}</dd>
        </dl>
      </section>
      <RenameForm key={org.data.name} org={org.data} />
    </>
  );
}

function RenameForm({ org }: { org: OrganisationInfo }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState(org.name);
  const trimmed = name.trim();
  const rename = useMutation(renameOrganisationMutation(queryClient));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (trimmed && trimmed !== org.name && !rename.isPending) rename.mutate(trimmed);
  };
  return (
    <form className="panel form-grid" onSubmit={submit} aria-labelledby="rename-title">
      <h2 id="rename-title" className="panel-title">
        {t('organisation.rename')}
      </h2>
      <div className="field field-wide">
        <label htmlFor="org-name">{t('organisation.name')}</label>
        <input
          id="org-name"
          required
          maxLength={120}
          value={name}
          aria-describedby="org-name-hint"
          onChange={(e) => setName(e.target.value)}
        />
        <span id="org-name-hint" className="field-hint">
          <Trans
            i18nKey="organisation.slugStays"
            values={{ slug: org.slug }}
            components={{ code: <code /> }}
          />
        </span>
      </div>
      <div className="form-actions">
        <button
          type="submit"
          className="button"
          disabled={rename.isPending || !trimmed || trimmed === org.name}
        >
          {rename.isPending ? t('organisation.saving') : t('organisation.save')}
        </button>
      </div>
      <FormError error={rename.error} />
    </form>
  );
}
