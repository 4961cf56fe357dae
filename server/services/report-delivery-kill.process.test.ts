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
import { ReportSubscriptions, newSubscriptionId } from '../jobs/report-subscriptions.js';
import { openStore, type Store } from '../store/store.js';

/**
 * A scheduled report survives `kill -9` of its worker with exactly one e-mail (issue 13). The
 * built `worker` command runs on a SQLite store; a due e-mail subscription becomes a delivery row
 * (committed before sending) and a job. The test's real SMTP server holds its answer to the end of
 * DATA; the worker is SIGKILLed while it waits for that answer, so the server — as RFC 5321 says —
 * drops the message (its client went away before the 250). A new worker takes the job again after
 * the dead one's lease, finds the delivery `sending`, sends it again under the same Message-ID, and
 * the server accepts it: one message accepted in all, one delivery row, status sent.
 */
const built = existsSync(path.join(repoRoot, 'dist', 'server', 'cli', 'worker.command.js'));
const PASSWORD = 'correct horse battery staple';

const { run } = cliProcesses();
let smtp: SmtpTestServer | undefined;
afterAll(async () => {
  await smtp?.close();
});

describe.skipIf(!built)('report delivery on a worker process: kill -9 mid-send (SQLite store)', () => {
  let env: Record<string, string>;
  let projectDir: string;
  let store: Store;
  let subscriptionId: string;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    const mini = await createMiniProject({
      'datasets/rows.yaml': `sql: sql/rows.sql\nshared: true\ncolumns:\n  n: { type: number }\n`,
      'sql/rows.sql': `SELECT i AS n FROM range(5) t(i)`,
      'dashboards/rows.yaml': `title: Rows\ndataset: rows\nwidgets:\n  - { id: list, type: table, title: Rows, columns: [n] }\n`,
    });
    projectDir = mini.dir;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-report-kill-'));
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
    // The row the subscriptions service writes (its API is covered by subscriptions.api.test.ts),
    // with its tick already due.
    subscriptionId = newSubscriptionId();
    const now = Date.now();
    await new ReportSubscriptions(store).create({
      id: subscriptionId,
      organisation_id: org.id,
      tenant: 'acme',
      user_id: user.id,
      role: 'viewer',
      dashboard: 'rows',
      widget: 'list',
      format: 'csv',
      request: JSON.stringify({ filters: {} }),
      schedule: '0 8 * * *',
      time_zone: 'UTC',
      channel: 'email',
      target: 'vi@acme.test',
      secret: null,
      status: 'active',
      next_run_at: now - 1_000,
      created_at: now,
      updated_at: now,
    });
    env = {
      TRELLIS_SESSION_SECRET: TEST_SECRET,
      TRELLIS_DATA_DIR: dataDir,
      TRELLIS_WORKER_LEASE: '2s',
      TRELLIS_REPORT_POLL: '200ms',
      TRELLIS_SMTP_URL: smtp.url,
      TRELLIS_MAIL_FROM: 'reports@acme.test',
      TRELLIS_PUBLIC_URL: 'https://trellis.acme.test',
    };
  }, 120_000);

  afterAll(async () => store?.close());

  const deliveries = () =>
    store.db
      .selectFrom('report_deliveries')
      .selectAll()
      .where('subscription_id', '=', subscriptionId)
      .execute();

  test('the worker dies before the SMTP server accepted the message: exactly one e-mail in the end', async () => {
    const server = smtp as SmtpTestServer;
    server.hold();
    const arrived = server.nextArrival();
    let worker = run(['worker', projectDir], env);
    await worker.waitFor(/worker is running jobs/);
    await arrived; // the whole message is at the server, which has not answered yet
    const [sending] = await deliveries();
    expect(sending).toMatchObject({ status: 'sending', attempts: 1 });
    worker.child.kill('SIGKILL');
    await new Promise((r) => worker.child.once('exit', r));
    // The server sees its client gone, then answers the held message: dropped, not accepted.
    await until(() => (server.heldGone === 1 ? true : undefined), 10_000, 'the SMTP session closed');
    server.release();
    expect(server.dropped).toBe(1);
    expect(server.accepted.length).toBe(0);

    worker = run(['worker', projectDir], env);
    await worker.waitFor(/worker is running jobs/);
    const sent = await until(
      async () => {
        const [d] = await deliveries();
        return d?.status === 'sent' ? d : undefined;
      },
      60_000,
      'the delivery taken again and sent',
    );
    expect(sent.attempts).toBe(2);
    expect(server.accepted.length).toBe(1);
    expect(server.accepted[0]?.messageId).toBe(`<${sent.id}@trellis.reports>`);
    expect(server.accepted[0]?.attachments[0]?.content.toString('utf8').trim().split('\r\n').length).toBe(6);
    // One delivery for the tick, whichever worker polled; nothing more arrives.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await deliveries()).length).toBe(1);
    expect(server.accepted.length).toBe(1);
    worker.child.kill('SIGTERM');
  }, 180_000);
});
