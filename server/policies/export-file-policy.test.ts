import { describe, expect, test } from 'vitest';
import { exportListScope, mayAccessExportFile } from './export-file-policy.js';
import { trustedOrganisationId } from './tenant.js';

const A = trustedOrganisationId('org-a');
const B = trustedOrganisationId('org-b');
const file = { organisationId: 'org-a', requestedBy: 'alice' };

describe('export file policy', () => {
  test('the requester may; another member of the organisation may not, unless admin', () => {
    expect(mayAccessExportFile({ organisationId: A, userId: 'alice', role: 'viewer' }, file)).toBe(true);
    expect(mayAccessExportFile({ organisationId: A, userId: 'bob', role: 'viewer' }, file)).toBe(false);
    expect(mayAccessExportFile({ organisationId: A, userId: 'bob', role: 'editor' }, file)).toBe(false);
    expect(mayAccessExportFile({ organisationId: A, userId: 'carol', role: 'admin' }, file)).toBe(true);
  });

  test("tenant first: another organisation's admin, or the requester signed in to another organisation, may not", () => {
    expect(mayAccessExportFile({ organisationId: B, userId: 'carol', role: 'admin' }, file)).toBe(false);
    expect(mayAccessExportFile({ organisationId: B, userId: 'alice', role: 'admin' }, file)).toBe(false);
  });

  test('lists: members their own, admins everyone in the organisation', () => {
    expect(exportListScope({ organisationId: A, userId: 'bob', role: 'editor' })).toEqual({
      requester: 'bob',
    });
    expect(exportListScope({ organisationId: A, userId: 'carol', role: 'admin' })).toEqual({
      requester: undefined,
    });
  });
});
