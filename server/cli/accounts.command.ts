import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import { AccountsError, AccountsService } from '../auth/accounts.service.js';
import { WeakPasswordError } from '../auth/passwords.js';
import type { AppConfig } from '../config/env.js';
import { openStore } from '../store/store.js';
import { ACCOUNTS_USAGE } from './accounts-usage.js';
import { readPassword, type PasswordInput } from './read-password.js';
import { otherStoreCandidates, storeForCommand, strayStoreWarning } from './metadata-location.js';

export interface CliIo {
  readonly stdin: PasswordInput;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** The folder the command runs in (a project there is the default store's home). */
  readonly cwd?: () => string;
}

/** `trellis user …` and `trellis org …`, on the configured metadata store (migrated first). */
export async function accountsCommand(
  command: 'user' | 'org',
  argv: string[],
  config: AppConfig,
  io: CliIo,
): Promise<number> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const fail = (line: string) => {
    io.stderr.write(`trellis ${command}: ${line}\n`);
    return 1;
  };
  if (argv.some((a) => a === '--password' || a.startsWith('--password='))) {
    io.stderr.write(
      `trellis ${command}: passwords are never taken from the command line (shell history, ps); pipe it on stdin\n`,
    );
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        email: { type: 'string' },
        org: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        project: { type: 'string' },
        'data-dir': { type: 'string' },
      },
    });
  } catch (err) {
    io.stderr.write(`trellis ${command}: ${(err as Error).message}\n\n${ACCOUNTS_USAGE}`);
    return 2;
  }
  const [action, ...rest] = parsed.positionals;
  const { email, org, role, name, project } = parsed.values;

  const cwd = io.cwd ? io.cwd() : process.cwd();
  const resolved = storeForCommand(config.store, { project, dataDir: parsed.values['data-dir'] }, cwd);
  if (!resolved.ok) return fail(resolved.message);
  // Never a second, empty store beside the one the server uses: a typo'd folder would otherwise
  // answer "no user with the email" from a store nobody else reads.
  const stray = strayStoreWarning(
    resolved.store,
    otherStoreCandidates(cwd, project && path.resolve(cwd, project)),
  );
  if (stray) return fail(stray.message);
  const creates = action === 'add';
  if (resolved.store.kind === 'sqlite' && !creates && !existsSync(resolved.store.file))
    return fail(
      `no metadata store at ${resolved.store.file} yet (trellis serve creates it, and so do \`org add\` and \`user add\`)`,
    );
  const store = await openStore(resolved.store);
  try {
    const accounts = new AccountsService(store);
    if (command === 'org' && action === 'add' && rest[0]) {
      const created = await accounts.createOrganisation(rest[0], name ?? rest[0], CLI_CONTEXT);
      say(`organisation ${created.slug} added`);
      return 0;
    }
    if (command === 'org' && action === 'list') {
      for (const o of await accounts.listOrganisations()) say(`${o.slug}\t${o.name}`);
      return 0;
    }
    if (command === 'user' && action === 'add' && email && org && role) {
      const password = await readPassword(io.stdin, io.stderr);
      const user = await accounts.createUser({ email, password, organisation: org, role }, CLI_CONTEXT);
      say(`user ${user.email} added to ${org} as ${role}`);
      return 0;
    }
    if (command === 'user' && action === 'join' && email && org && role) {
      await accounts.addMembership(email, org, role, CLI_CONTEXT);
      say(`user ${email} added to ${org} as ${role}`);
      return 0;
    }
    if (command === 'user' && action === 'list') {
      for (const u of await accounts.listUsers()) {
        const memberships = u.memberships.map((m) => `${m.organisation}:${m.role}`).join(',') || '-';
        say(`${u.email}\t${memberships}\t${u.disabledAt === null ? 'active' : 'disabled'}`);
      }
      return 0;
    }
    if (command === 'user' && action === 'disable' && email) {
      const { revokedSessions } = await accounts.disableUser(email, CLI_CONTEXT);
      say(`user ${email} disabled; ${revokedSessions} session(s) ended`);
      return 0;
    }
    if (command === 'user' && action === 'enable' && email) {
      await accounts.setUserDisabled(email, false, CLI_CONTEXT);
      say(`user ${email} enabled`);
      return 0;
    }
    if (command === 'user' && action === 'reset-password' && email) {
      const password = await readPassword(io.stdin, io.stderr);
      const { revokedSessions } = await accounts.resetPassword(email, password, CLI_CONTEXT);
      say(`password of ${email} changed; ${revokedSessions} session(s) ended`);
      return 0;
    }
    io.stderr.write(`trellis ${command}: missing or unknown arguments\n\n${ACCOUNTS_USAGE}`);
    return 2;
  } catch (err) {
    // Refusals the user can fix are one line; anything else propagates with its stack.
    if (err instanceof AccountsError || err instanceof WeakPasswordError) return fail(err.message);
    throw err;
  } finally {
    await store.close();
  }
}
