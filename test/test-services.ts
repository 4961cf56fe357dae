import { test } from 'vitest';
import { unreachableReason } from './engine-fixture.js';

/**
 * The database servers the engine tests need (docs/configuration.md, the test services). Their URLs come
 * from the environment with the machine's defaults. When one cannot be reached, its suites are
 * skipped with one loud line — or, under CI=true, fail: a skipped suite is never reported as passed.
 */
export type ServiceKind = 'postgres' | 'mysql';

const SERVICES = {
  postgres: {
    label: 'PostgreSQL',
    env: 'TRELLIS_TEST_PG_URL',
    fallback: 'postgres://postgres@127.0.0.1:5432/test',
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  mysql: {
    label: 'MariaDB',
    env: 'TRELLIS_TEST_MYSQL_URL',
    fallback: 'mysql://root@127.0.0.1:3306/test',
    start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
  },
} as const;

export interface ServiceGate {
  readonly kind: ServiceKind;
  readonly label: string;
  readonly url: string;
  /** Run the suites that need this server. */
  readonly available: boolean;
}

export async function serviceGate(kind: ServiceKind, what: string): Promise<ServiceGate> {
  const s = SERVICES[kind];
  const url = process.env[s.env] || s.fallback;
  const reason = await unreachableReason(kind, url);
  if (reason === undefined) return { kind, label: s.label, url, available: true };
  const where = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  const unreachable = `${s.label} is unreachable at ${where} (${reason})`;
  if (process.env.CI === 'true') {
    // Registered as a failing test, so the run fails and says why.
    test(`${s.label} is reachable (required under CI=true)`, () => {
      throw new Error(`${unreachable}; CI must provide it for: ${what}.`);
    });
  } else {
    console.warn(
      `\n⚠️  SKIPPED ${what}: ${unreachable}. Start it (${s.start}) or point ${s.env} at one; under CI=true this fails.\n`,
    );
  }
  return { kind, label: s.label, url, available: false };
}
