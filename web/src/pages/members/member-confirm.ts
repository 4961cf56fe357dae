import type { Member } from '../../../../contract/index.js';

/** A confirmed member action, before it is sent (the password is typed in the dialog). */
export type Pending = { kind: 'disable' | 'enable' | 'remove' | 'password'; member: Member };

export function confirmTitle(p: Pending): string {
  const who = p.member.email;
  switch (p.kind) {
    case 'disable':
      return `Disable ${who}?`;
    case 'enable':
      return `Enable ${who}?`;
    case 'remove':
      return `Remove ${who} from the organisation?`;
    case 'password':
      return `Reset the password of ${who}`;
  }
}

export function confirmLabel(p: Pending): string {
  return { disable: 'Disable', enable: 'Enable', remove: 'Remove', password: 'Set password' }[p.kind];
}

export function confirmText(p: Pending): string {
  switch (p.kind) {
    case 'disable':
      return 'They are signed out everywhere at once and cannot sign in to any organisation until enabled again.';
    case 'enable':
      return 'They can sign in again with their current password.';
    default:
      return 'They lose access to this organisation’s dashboards at once. Their account stays, and they can be added again.';
  }
}
