import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeTargets } from '../../test/store-targets.js';
import { CLI_CONTEXT, type ActionContext } from '../audit/audit-log.js';
import { TrellisError } from '../errors.js';
import type { ActiveSession } from '../policies/principal.js';
import { trustedOrganisationId, type OrganisationId } from '../policies/tenant.js';
import type { Role } from '../store/database.types.js';
import type { Store } from '../store/store.js';
import { AccountsService } from './accounts.service.js';
import { ApiTokensService } from './api-tokens.service.js';
import { InvitationsService } from './invitations.service.js';
import { MembersService } from './members.service.js';
import { OwnSessionsService } from './own-sessions.service.js';
import { lowerPasswordCostForTests } from './passwords.js';
import { SessionsService } from './sessions.service.js';

/**
 * Generated sequences of admin and member actions across three organisations, through the service
 * layer (what the routes call). After every step: no action of organisation X's admin changed a
 * credential, account state, membership or token of any user outside X's sole members (their
 * membership and tokens in X excepted: those are X's), nobody joined anything without accepting,
 * and every organisation keeps an enabled admin.
 */
const targets = await storeTargets('the membership-consent property on PostgreSQL');
const RUNS = 100;
const STEPS = 50;
const PASSWORD = 'correct horse battery staple';
const ROLES: Role[] = ['viewer', 'editor', 'admin'];
/** Refusals the rules give; anything else is a bug and fails the property. */
const EXPECTED = new Set([
  'MEMBER_NOT_FOUND',
  'ACCOUNT_NOT_MANAGED',
  'LAST_ADMIN',
  'MEMBER_EXISTS',
  'INVITATION_INVALID',
  'INVITATION_NOT_FOUND',
  'INVITATION_WRONG_ACCOUNT',
  'ACCOUNT_EXISTS',
  'FORBIDDEN',
  'TOKEN_LIMIT',
  'VALIDATION_FAILED',
]);

type Action =
  | { kind: 'invite'; org: number; email: number; role: Role }
  | { kind: 'accept'; user: number; inv: number }
  | { kind: 'register'; inv: number }
  | { kind: 'revoke-invite'; org: number; inv: number }
  | { kind: 'role'; org: number; user: number; role: Role }
  | { kind: 'disable' | 'enable' | 'reset' | 'remove'; org: number; user: number }
  | { kind: 'token'; user: number }
  | { kind: 'switch'; user: number; org: number };

const USERS = 6;
const EMAILS = USERS + 2; // two addresses with no account yet
const org = fc.nat({ max: 2 });
const user = fc.nat({ max: USERS - 1 });
const role = fc.constantFrom(...ROLES);
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('invite' as const), org, email: fc.nat({ max: EMAILS - 1 }), role }),
  fc.record({ kind: fc.constant('accept' as const), user, inv: fc.nat({ max: 20 }) }),
  fc.record({ kind: fc.constant('register' as const), inv: fc.nat({ max: 20 }) }),
  fc.record({ kind: fc.constant('revoke-invite' as const), org, inv: fc.nat({ max: 20 }) }),
  fc.record({ kind: fc.constant('role' as const), org, user, role }),
  fc.record({
    kind: fc.constantFrom('disable' as const, 'enable' as const, 'reset' as const, 'remove' as const),
    org,
    user,
  }),
  fc.record({ kind: fc.constant('token' as const), user }),
  fc.record({ kind: fc.constant('switch' as const), user, org }),
);

interface Snapshot {
  readonly users: Map<string, { email: string; hash: string; disabled: boolean }>;
  /** "user|org" → role */
  readonly memberships: Map<string, Role>;
  /** token id → "user|org|revoked" */
  readonly tokens: Map<string, { user: string; org: string; revoked: boolean }>;
  readonly sessions: Map<string, { user: string; org: string; revoked: boolean }>;
}

describe.each(targets)('membership by consent, generated actions ($name store)', (target) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let run = 0;
  let steps = 0;

  beforeAll(async () => {
    lowerPasswordCostForTests();
    const opened = await target.open();
    store = opened.store;
    dispose = opened.dispose;
  });
  afterAll(async () => dispose?.());

  test(`≥ ${RUNS * STEPS} steps keep every boundary`, async () => {
    const config = {
      idleMs: 30 * 60_000,
      absoluteMs: 12 * 3600_000,
      secureCookie: false,
      maxFailuresPerAccount: 10,
      maxFailuresPerIp: 100,
      failureWindowMs: 15 * 60_000,
      secret: 'x'.repeat(40),
      secretFromEnv: false,
    };
    const accounts = new AccountsService(store);
    const members = new MembersService(store);
    const invitations = new InvitationsService(store, undefined);
    const tokens = new ApiTokensService(store);
    const sessions = new SessionsService(store, config);
    const own = new OwnSessionsService(store, sessions, config);

    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: STEPS, maxLength: STEPS }), async (actions) => {
        const r = ++run;
        const slugs = [0, 1, 2].map((i) => `p${r}o${i}`);
        const orgIds: OrganisationId[] = [];
        for (const slug of slugs)
          orgIds.push(trustedOrganisationId((await accounts.createOrganisation(slug, slug, CLI_CONTEXT)).id));
        const emails = Array.from({ length: EMAILS }, (_, i) => `u${i}.r${r}@p.example`);
        // u0..u2 admins of o0..o2; u3 viewer of o0; u4 editor of o1 and viewer of o2 (shared); u5 viewer of o2.
        const homes: [number, Role][] = [
          [0, 'admin'],
          [1, 'admin'],
          [2, 'admin'],
          [0, 'viewer'],
          [1, 'editor'],
          [2, 'viewer'],
        ];
        for (let i = 0; i < USERS; i++) {
          const [o, ro] = homes[i] as [number, Role];
          await accounts.createUser(
            { email: emails[i] as string, password: PASSWORD, organisation: slugs[o] as string, role: ro },
            CLI_CONTEXT,
          );
        }
        await accounts.addMembership(emails[4] as string, slugs[2] as string, 'viewer', CLI_CONTEXT);
        const ids = async () =>
          new Map(
            (
              await store.db
                .selectFrom('users')
                .select(['id', 'email'])
                .where('email', 'in', emails)
                .execute()
            ).map((u) => [u.email, u.id]),
          );
        const idOf = await ids();
        const userId = (i: number) => idOf.get(emails[i] as string) ?? 'none';
        // Each user's current session (switch replaces it).
        const current = new Map<number, { token: string; session: ActiveSession }>();
        for (let i = 0; i < USERS; i++) {
          const home = homes[i] as [number, Role];
          current.set(
            i,
            await sessions.open(
              { id: userId(i), email: emails[i] as string },
              { id: orgIds[home[0]] as string, slug: slugs[home[0]] as string, name: 'x', role: home[1] },
              { actor: userId(i), ip: null, requestId: null },
              { userAgent: null, audit: { action: 'login', target: emails[i] as string, detail: {} } },
            ),
          );
        }
        const tokensOf = new Map<string, string>(); // invitation id → token
        const ctx = (actor: string, o: number | null): ActionContext => ({
          actor,
          ip: null,
          requestId: null,
          organisationId: o === null ? null : (orgIds[o] as string),
        });

        const snapshot = async (): Promise<Snapshot> => {
          const users = await store.db
            .selectFrom('users')
            .select(['id', 'email', 'password_hash', 'disabled_at'])
            .where('email', 'in', emails)
            .execute();
          const uids = users.map((u) => u.id);
          const [ms, ts, ss] = await Promise.all([
            store.db
              .selectFrom('memberships')
              .select(['user_id', 'organisation_id', 'role'])
              .where('organisation_id', 'in', orgIds)
              .execute(),
            store.db
              .selectFrom('api_tokens')
              .select(['id', 'user_id', 'organisation_id', 'revoked_at'])
              .where('user_id', 'in', uids)
              .execute(),
            store.db
              .selectFrom('sessions')
              .select(['id_hash', 'user_id', 'organisation_id', 'revoked_at'])
              .where('user_id', 'in', uids)
              .execute(),
          ]);
          return {
            users: new Map(
              users.map((u) => [
                u.id,
                { email: u.email, hash: u.password_hash, disabled: u.disabled_at !== null },
              ]),
            ),
            memberships: new Map(ms.map((m) => [`${m.user_id}|${m.organisation_id}`, m.role])),
            tokens: new Map(
              ts.map((t) => [
                t.id,
                { user: t.user_id, org: t.organisation_id, revoked: t.revoked_at !== null },
              ]),
            ),
            sessions: new Map(
              ss.map((s) => [
                s.id_hash,
                { user: s.user_id, org: s.organisation_id, revoked: s.revoked_at !== null },
              ]),
            ),
          };
        };

        const pendingOf = async (o: number | null) =>
          store.db
            .selectFrom('invitations')
            .select(['id', 'email', 'organisation_id'])
            .where('organisation_id', 'in', o === null ? orgIds : [orgIds[o] as string])
            .where('accepted_at', 'is', null)
            .where('revoked_at', 'is', null)
            .orderBy('created_at')
            .orderBy('id')
            .execute();

        let before = await snapshot();
        for (const a of actions) {
          /** Who may have been changed: null = an admin action of org X; else the acting user. */
          let adminOf: OrganisationId | null = null;
          let actor: string | null = null;
          let joinedOrg: string | null = null;
          try {
            switch (a.kind) {
              case 'invite': {
                adminOf = orgIds[a.org] as OrganisationId;
                const created = await invitations.create(
                  adminOf,
                  { email: emails[a.email] as string, role: a.role },
                  ctx(userId(a.org), a.org),
                );
                tokensOf.set(
                  created.invitation.id,
                  new URL(created.linkPath ?? '', 'http://x').searchParams.get('token') ?? '',
                );
                break;
              }
              case 'accept': {
                const pending = await pendingOf(null);
                const inv = pending[a.inv % Math.max(1, pending.length)];
                if (!inv) break;
                const me = current.get(a.user);
                actor = userId(a.user);
                joinedOrg = inv.organisation_id;
                if (!me) break;
                await invitations.accept(me.session, tokensOf.get(inv.id) ?? '', ctx(actor, null));
                // Accepted: it must have been addressed to this user.
                expect(inv.email).toBe(emails[a.user]);
                break;
              }
              case 'register': {
                const pending = await pendingOf(null);
                const inv = pending[a.inv % Math.max(1, pending.length)];
                if (!inv) break;
                actor = `new:${inv.email}`;
                joinedOrg = inv.organisation_id;
                await invitations.register(tokensOf.get(inv.id) ?? '', PASSWORD, {
                  actor: null,
                  ip: null,
                  requestId: null,
                });
                break;
              }
              case 'revoke-invite': {
                adminOf = orgIds[a.org] as OrganisationId;
                const pending = await pendingOf(null); // any organisation's: others' must be refused
                const inv = pending[a.inv % Math.max(1, pending.length)];
                if (!inv) break;
                await invitations.revoke(adminOf, inv.id, ctx(userId(a.org), a.org));
                expect(inv.organisation_id).toBe(adminOf);
                break;
              }
              case 'role':
                adminOf = orgIds[a.org] as OrganisationId;
                await members.update(adminOf, userId(a.user), { role: a.role }, ctx(userId(a.org), a.org));
                break;
              case 'disable':
              case 'enable':
                adminOf = orgIds[a.org] as OrganisationId;
                await members.update(
                  adminOf,
                  userId(a.user),
                  { disabled: a.kind === 'disable' },
                  ctx(userId(a.org), a.org),
                );
                break;
              case 'reset':
                adminOf = orgIds[a.org] as OrganisationId;
                await members.resetPassword(
                  adminOf,
                  userId(a.user),
                  `a new password ${r}`,
                  ctx(userId(a.org), a.org),
                );
                break;
              case 'remove':
                adminOf = orgIds[a.org] as OrganisationId;
                await members.remove(adminOf, userId(a.user), ctx(userId(a.org), a.org));
                break;
              case 'token': {
                actor = userId(a.user);
                const me = current.get(a.user);
                if (!me) break;
                const live = await sessions.resolve(me.token);
                if (!live) break; // signed out by a change: nothing to act with
                await tokens.create(
                  trustedOrganisationId(live.organisation.id),
                  live,
                  { name: 't', role: 'viewer', expiresInDays: 1 },
                  ctx(actor, null),
                );
                break;
              }
              case 'switch': {
                actor = userId(a.user);
                const me = current.get(a.user);
                if (!me) break;
                const live = await sessions.resolve(me.token);
                if (!live) break;
                const moved = await own.switchOrganisation(
                  live,
                  orgIds[a.org] as string,
                  me.token,
                  null,
                  ctx(actor, null),
                );
                current.set(a.user, moved);
                break;
              }
            }
          } catch (err) {
            if (!(err instanceof TrellisError) || !EXPECTED.has(err.code)) throw err;
          }
          const after = await snapshot();
          checkStep(a, before, after, adminOf, actor, joinedOrg);
          before = after;
          steps++;
        }
        // Every organisation keeps an enabled admin.
        for (const o of orgIds) {
          const admins = [...before.memberships].filter(
            ([k, ro]) =>
              k.endsWith(`|${o}`) &&
              ro === 'admin' &&
              before.users.get(k.split('|')[0] as string)?.disabled === false,
          );
          expect(admins.length, `organisation ${o} has no enabled admin`).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
    process.stdout.write(
      `membership-consent property (${target.name}): ${steps} steps in ${run} sequences\n`,
    );
    expect(steps).toBeGreaterThanOrEqual(5000);
  }, 600_000);
});

/** The boundaries of one step (see the file comment). */
function checkStep(
  a: Action,
  before: Snapshot,
  after: Snapshot,
  adminOf: OrganisationId | null,
  actor: string | null,
  joinedOrg: string | null,
): void {
  const label = JSON.stringify(a);
  const orgsOf = (s: Snapshot, u: string) =>
    [...s.memberships.keys()].filter((k) => k.startsWith(`${u}|`)).map((k) => k.split('|')[1]);
  // Every organisation keeps an enabled admin, after every step.
  const orgs = new Set([...before.memberships.keys()].map((k) => k.split('|')[1] as string));
  for (const o of orgs) {
    const ok = [...after.memberships].some(
      ([k, ro]) =>
        k.endsWith(`|${o}`) &&
        ro === 'admin' &&
        after.users.get(k.split('|')[0] as string)?.disabled === false,
    );
    expect(ok, `${label}: organisation ${o} lost its last enabled admin`).toBe(true);
  }
  if (adminOf !== null) {
    // Nobody new, nobody joined anything: an admin action only changes or ends memberships of X.
    expect(
      [...after.users.keys()].filter((u) => !before.users.has(u)),
      label,
    ).toEqual([]);
    for (const k of after.memberships.keys())
      expect(before.memberships.has(k), `${label}: ${k} joined without consent`).toBe(true);
    for (const [u, was] of before.users) {
      const sole = orgsOf(before, u).length === 1 && orgsOf(before, u)[0] === adminOf;
      if (sole) continue;
      const now = after.users.get(u);
      expect(now?.hash, `${label}: password of a user outside ${adminOf}'s sole members changed`).toBe(
        was.hash,
      );
      expect(
        now?.disabled,
        `${label}: account state of a user outside ${adminOf}'s sole members changed`,
      ).toBe(was.disabled);
      for (const [k, ro] of before.memberships)
        if (k.startsWith(`${u}|`) && !k.endsWith(`|${adminOf}`))
          expect(after.memberships.get(k), `${label}: ${k} changed`).toBe(ro);
      for (const [id, t] of before.tokens)
        if (t.user === u && t.org !== adminOf)
          expect(after.tokens.get(id), `${label}: token ${id} changed`).toEqual(t);
      for (const [id, s] of before.sessions)
        if (s.user === u && s.org !== adminOf)
          expect(after.sessions.get(id), `${label}: session changed`).toEqual(s);
    }
    return;
  }
  // A member's own action: nobody else's anything changes; they keep their password and state and
  // may gain only the membership of the invitation they accepted.
  for (const [u, was] of before.users) {
    expect(after.users.get(u), `${label}: user ${u} changed`).toEqual(was);
    if (u === actor) continue;
    for (const [k, ro] of before.memberships)
      if (k.startsWith(`${u}|`)) expect(after.memberships.get(k), label).toBe(ro);
    for (const [id, t] of before.tokens) if (t.user === u) expect(after.tokens.get(id), label).toEqual(t);
    for (const [id, s] of before.sessions) if (s.user === u) expect(after.sessions.get(id), label).toEqual(s);
  }
  for (const k of after.memberships.keys())
    if (!before.memberships.has(k)) {
      const [u, o] = k.split('|');
      const registered = !before.users.has(u as string);
      expect(o, `${label}: joined ${o} without its invitation`).toBe(joinedOrg);
      expect(registered || u === actor, `${label}: ${u} joined, but ${String(actor)} acted`).toBe(true);
    }
}
