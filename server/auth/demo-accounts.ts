import { randomBytes } from 'node:crypto';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import type { DemoConfig } from '../config/project/project.schema.js';
import type { Store } from '../store/store.js';
import { AccountsService } from './accounts.service.js';
import { LoginLinksService } from './login-links.service.js';
import type { SessionsService } from './sessions.service.js';

/**
 * Creates the project's demo organisations and users if they are missing (a restart changes nothing
 * and writes no audit rows). New demo users get a random password nobody knows: the way in is the
 * sign-in link, or a password set with `trellis user reset-password`.
 */
export async function ensureDemoAccounts(store: Store, demo: DemoConfig): Promise<{ created: number }> {
  const accounts = new AccountsService(store);
  let created = 0;
  const orgs = new Map((await accounts.listOrganisations()).map((o) => [o.slug, o.id]));
  for (const o of demo.organisations) {
    if (orgs.has(o.slug)) continue;
    const org = await accounts.createOrganisation(o.slug, o.name, CLI_CONTEXT);
    orgs.set(org.slug, org.id);
    created++;
  }
  const users = new Map((await accounts.listUsers()).map((u) => [u.email, u]));
  for (const u of demo.users) {
    const email = u.email.toLowerCase();
    const existing = users.get(email);
    if (!orgs.has(u.organisation)) continue; // the schema guarantees it is listed
    if (!existing) {
      const user = await accounts.createUser(
        {
          email,
          password: randomBytes(32).toString('base64url'),
          organisation: u.organisation,
          role: u.role,
        },
        CLI_CONTEXT,
      );
      users.set(email, user);
      created++;
    } else if (!existing.memberships.some((m) => m.organisation === u.organisation)) {
      // The operator's project file adds them directly (as `trellis user join` does), not by invitation.
      await accounts.addMembership(email, u.organisation, u.role, CLI_CONTEXT);
      created++;
    }
  }
  return { created };
}

/** The first admin listed in the demo section, who the printed sign-in link is for. */
export function demoAdmin(demo: DemoConfig): { email: string; organisation: string } {
  const admin = demo.users.find((u) => u.role === 'admin') ?? demo.users[0];
  if (!admin) throw new Error('the demo section lists no users');
  return { email: admin.email, organisation: admin.organisation };
}

export async function mintDemoLink(
  store: Store,
  sessions: SessionsService,
  demo: DemoConfig,
  baseUrl: string,
): Promise<string> {
  const admin = demoAdmin(demo);
  const token = await new LoginLinksService(store, sessions).mint(admin.email, admin.organisation);
  return `${baseUrl.replace(/\/$/, '')}/login/link?token=${token}`;
}
