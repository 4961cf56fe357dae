import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMiniProject } from '../../test/mini-project.js';
import { repoRoot } from '../../test/paths.js';
import { TEST_SECRET } from '../../test/serve-process.js';
import { startSmtpTestServer, type SmtpTestServer } from '../../test/smtp-test-server.js';
import { cliProcesses } from '../../test/cli-process.js';
import { until } from '../../test/until.js';
import { CLI_CONTEXT } from '../audit/audit-log.js';
import { AccountsService } from '../auth/accounts.service.js';
import { AlertRules, newAlertId } from '../jobs/alert-rules.js';
import { openStore, type Store } from '../store/store.js';

/**
 * An alert's transition survives `kill -9` of its worker with exactly one e-mail (issue 13), as
 * report deliveries do (report-delivery-kill.process.test.ts). The built `worker` command runs on a
 * SQLite store; a due alert rule whose KPI is above its threshold is checked, its "fire" event row
 * is committed with the state change (before sending) and a job is enqueued. The test's SMTP server
 * holds its answer to the end of DATA; the worker is SIGKILLed meanwhile, so the server drops the
 * message. A new worker takes the job again after the lease, sends it again under the same
 * Message-ID, and the server accepts it: one "Alert" mail, one event, status sent — and the new
 * worker's own checks, the rule still firing, make no second event.
 */
const built = existsSync(path.join(repoRoot, 'dist', 'server', 'cli', 'worker.command.js'));
const PASSWORD = 'correct horse battery staple';

const { run } = cliProcesses();
let smtp: SmtpTestServer | undefined;
afterAll(async () => {
  await smtp?.close();
});

describe.skipIf(!built)('alert notification on a worker process: kill -9 mid-send (SQLite store)', () => {
  let env: Record<string, string>;
  let projectDir: string;
  let store: Store;
  let alertId: string;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    const mini = await createMiniProject({
      'datasets/rows.yaml': `sql: sql/rows.sql\nshared: true\ncolumns:\n  n: { type: number }\nmeasures:\n  rows: { agg: count, label: Rows }\n`,
      'sql/rows.sql': `SELECT i AS n FROM range(5) t(i)`,
      'dashboards/rows.yaml': `title: Rows\ndataset: rows\nwidgets:\n  - { id: count, type: kpi, title: Row count, measure: rows }\n`,
    });
    projectDir = mini.dir;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-alert-kill-'));
    store = await openStore({ kind: 'sqlite', file: path.join(dataDir, 'meta.sqlite') });
    const accounts = new AccountsService(store);
    await accounts.createOrganisation('acme', 'Acme', CLI_CONTEXT);
    await accounts.createUser(
      { email: 'vi@acme.test', password: PASSWORD, organisation: 'acme', role: 'viewer' },
      CLI_CONTEXT,
    );
    const user = await store.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'vi@acme.test')
      .executeTakeFirstOrThrow();
    const org = await store.db
      .selectFrom('organisations')
      .select('id')
      .where('slug', '=', 'acme')
      .executeTakeFirstOrThrow();
    // The row the alerts service writes (its API is covered by alerts.api.test.ts), its check due.
    alertId = newAlertId();
    const now = Date.now();
    await new AlertRules(store).create({
      id: alertId,
      organisation_id: org.id,
      tenant: 'acme',
      user_id: user.id,
      role: 'viewer',
      dashboard: 'rows',
      widget: 'count',
      filters: '{}',
      condition: 'above',
      threshold: 3,
      every_minutes: 5,
      cron: null,
      time_zone: 'UTC',
      channel: 'email',
      target: 'vi@acme.test',
      secret: null,
      state: 'ok',
      transitions: 0,
      last_value: null,
      last_checked_at: null,
      last_error: null,
      next_check_at: now - 1_000,
      muted_until: null,
      created_at: now,
      updated_at: now,
    });
    env = {
      TRELLIS_SESSION_SECRET: TEST_SECRET,
      TRELLIS_DATA_DIR: dataDir,
      TRELLIS_WORKER_LEASE: '2s',
      TRELLIS_REPORT_POLL: '200ms',
      TRELLIS_SMTP_URL: smtp.url,
      TRELLIS_MAIL_FROM: 'alerts@acme.test',
      TRELLIS_PUBLIC_URL: 'https://trellis.acme.test',
    };
  }, 120_000);

  afterAll(async () => store?.close());

  const events = () =>
    store.db.selectFrom('alert_events').selectAll().where('rule_id', '=', alertId).execute();

  test('the worker dies before the SMTP server accepted the alert: exactly one e-mail in the end', async () => {
    const server = smtp as SmtpTestServer;
    server.hold();
    const arrived = server.nextArrival();
    let worker = run(['worker', projectDir], env);
    await worker.waitFor(/worker is running jobs/);
    await arrived; // the whole message is at the server, which has not answered yet
    const [sending] = await events();
    expect(sending).toMatchObject({ kind: 'fire', status: 'sending', attempts: 1, value: 5 });
    worker.child.kill('SIGKILL');
    await new Promise((r) => worker.child.once('exit', r));
    await until(() => (server.heldGone === 1 ? true : undefined), 10_000, 'the SMTP session closed');
    server.release();
    expect(server.dropped).toBe(1);
    expect(server.accepted.length).toBe(0);

    // The next check comes at once too (the new worker's poll): the rule is still firing.
    await store.db
      .updateTable('alert_rules')
      .set({ next_check_at: Date.now() - 1_000 })
      .where('id', '=', alertId)
      .execute();
    worker = run(['worker', projectDir], env);
    await worker.waitFor(/worker is running jobs/);
    const sent = await until(
      async () => {
        const [e] = await events();
        return e?.status === 'sent' ? e : undefined;
      },
      60_000,
      'the notification taken again and sent',
    );
    expect(sent.attempts).toBe(2);
    expect(server.accepted.length).toBe(1);
    expect(server.accepted[0]?.messageId).toBe(`<${sent.id}@trellis.alerts>`);
    expect(server.accepted[0]?.subject).toBe('Alert: Row count is 5, above 3');
    await until(
      async () => {
        const rule = await store.db
          .selectFrom('alert_rules')
          .select('last_checked_at')
          .where('id', '=', alertId)
          .executeTakeFirst();
        return Number(rule?.last_checked_at) > Number(sent.created_at) ? true : undefined;
      },
      30_000,
      'the rule checked again by the new worker',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await events()).length).toBe(1);
    expect(server.accepted.length).toBe(1);
    worker.child.kill('SIGTERM');
  }, 180_000);
});
