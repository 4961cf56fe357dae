import { hashPassword, verifyPassword } from '../../server/auth/passwords.js';
import { verdictAtMost, type ScenarioResult } from '../lib/report.js';
import { percentile, median, round } from '../lib/stats.js';

const RUNS = 30;

/**
 * What one password hash (user add, password reset) and one verification (every login) cost with the
 * server's argon2id parameters (m = 19 MiB, t = 2, p = 1) on this machine. The goal keeps a login
 * under a quarter second; the floor for safety is the parameters themselves, not the time.
 */
export async function argon2Hash(): Promise<ScenarioResult> {
  const password = 'a bench password of ordinary length';
  const hashMs: number[] = [];
  const verifyMs: number[] = [];
  let hash = await hashPassword(password); // warm-up (thread pool, allocator)
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    hash = await hashPassword(password);
    hashMs.push(performance.now() - t);
    t = performance.now();
    if (!(await verifyPassword(hash, password))) throw new Error('argon2 verification failed');
    verifyMs.push(performance.now() - t);
  }
  const p50 = median(hashMs);
  return {
    scenario: 'argon2-hash',
    measured: `hash p50 ${round(p50, 1)} ms (p95 ${round(percentile(hashMs, 95), 1)}), verify p50 ${round(median(verifyMs), 1)} ms`,
    goal: '≤ 250 ms per hash at m=19 MiB, t=2, p=1',
    anchor: 'OWASP password storage cheat sheet (argon2id minimum)',
    ratio: p50 / 250,
    verdict: verdictAtMost(p50, 250),
    details: {
      runs: RUNS,
      hashMs: hashMs.map((v) => round(v, 2)),
      verifyMs: verifyMs.map((v) => round(v, 2)),
    },
  };
}
