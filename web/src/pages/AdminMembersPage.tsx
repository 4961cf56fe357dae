import { AccountPage } from '../components/AccountPage.js';
import { useTranslation } from 'react-i18next';
import { InviteForm } from './members/InviteForm.js';
import { MemberTable } from './members/MemberTable.js';
import { PendingInvitations } from './members/PendingInvitations.js';

/** Admins: invite people (they join by accepting), pending invitations, and the members. */
export function AdminMembersPage() {
  const { t } = useTranslation();
  return (
    <AccountPage page="admin-members" description={t('members.description')}>
      {(session) => (
        <>
          <InviteForm />
          <PendingInvitations />
          <MemberTable session={session} />
        </>
      )}
    </AccountPage>
  );
}
