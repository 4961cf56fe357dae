import { AccountPage } from '../components/AccountPage.js';
import { InviteForm } from './members/InviteForm.js';
import { MemberTable } from './members/MemberTable.js';
import { PendingInvitations } from './members/PendingInvitations.js';

/** Admins: invite people (they join by accepting), pending invitations, and the members. */
export function AdminMembersPage() {
  return (
    <AccountPage page="admin-members" description="Who belongs to this organisation, and with which role.">
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
