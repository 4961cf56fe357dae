import type { Member } from '../../../../contract/index.js';

/**
 * A confirmed member action, before it is sent (the password is typed in the dialog). Its title, button
 * and text are in the catalogue: members.confirm.<kind>.
 */
export type Pending = { kind: 'disable' | 'enable' | 'remove' | 'password'; member: Member };
