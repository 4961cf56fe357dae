import { AgentApi } from './agent-api.js';
import { ScoringApi } from './scoring-api.js';

/**
 * The example's stand-ins as one process, for `npm start -- sourcing`: the scoring API (60 calls per
 * minute per key, 5 % faults) and the contact agent API (PhantomBuster's shape: an agent runs 5 s in
 * its container; 120 calls per minute per key, 2 % faults), like the real APIs they stand for. Ports
 * and keys from the environment; the agent starts only when AGENT_API_KEY is set.
 */
const port = Number(process.env['SCORING_API_PORT'] ?? 4610);
const key = process.env['SCORING_API_KEY'];
if (!key) {
  process.stderr.write('SCORING_API_KEY is not set\n');
  process.exit(2);
}
const api = await ScoringApi.start({ keys: [key], port, faultRate: 0.05, stallMs: 20_000 });
process.stdout.write(`scoring stand-in on ${api.url} (60 calls/min per key, 5 % faults)\n`);

const agentKey = process.env['AGENT_API_KEY'];
const agent = agentKey
  ? await AgentApi.start({
      keys: [agentKey],
      port: Number(process.env['AGENT_API_PORT'] ?? 4611),
      runMs: 5_000,
      faultRate: 0.02,
      stallMs: 20_000,
    })
  : undefined;
if (agent) process.stdout.write(`agent stand-in on ${agent.url} (agents run 5 s, 120 calls/min per key)\n`);

const stop = () => void Promise.all([api.close(), agent?.close()]).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
