import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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
          <dt>Slug</dt>
          <dd>
            <code>{org.data.slug}</code>
          </dd>
          <dt>Members</dt>
          <dd>
            <Link href={ACCOUNT_PAGES['admin-members'].path}>{org.data.memberCount}</Link>
          </dd>
          <dt>Created</dt>
          <dd>{formatDateTime(org.data.createdAt)}</dd>
        </dl>
      </section>
      <RenameForm key={org.data.name} org={org.data} />
    </>
  );
}

function RenameForm({ org }: { org: OrganisationInfo }) {
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
        Rename
      </h2>
      <div className="field field-wide">
        <label htmlFor="org-name">Name</label>
        <input
          id="org-name"
          required
          maxLength={120}
          value={name}
          aria-describedby="org-name-hint"
          onChange={(e) => setName(e.target.value)}
        />
        <span id="org-name-hint" className="field-hint">
          The slug <code>{org.slug}</code> stays the same.
        </span>
      </div>
      <div className="form-actions">
        <button
          type="submit"
          className="button"
          disabled={rename.isPending || !trimmed || trimmed === org.name}
        >
          {rename.isPending ? 'Saving…' : 'Save name'}
        </button>
      </div>
      <FormError error={rename.error} />
    </form>
  );
}
