/**
 * The ClinicalTrials.gov replay server (test/ctgov-replay-server.ts) as its own process, so serving
 * does not share the measured pipeline's CPU or memory:
 *
 *   node dist/bench/lib/replay-server-process.js --studies 50000 [--faults JSON] [--chaos P] [--seed N]
 *
 * It prints `listening URL` on stdout and stops on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { CtgovReplayServer, type Fault } from '../../test/ctgov-replay-server.js';

const { values } = parseArgs({
  options: {
    studies: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string' },
    chaos: { type: 'string' },
    port: { type: 'string' },
  },
});
const server = await CtgovReplayServer.start({
  studies: Number(values.studies ?? 1000),
  ...(values.seed ? { seed: Number(values.seed) } : {}),
  ...(values.faults ? { faults: JSON.parse(values.faults) as Fault[] } : {}),
  ...(values.chaos ? { chaos: Number(values.chaos) } : {}),
  ...(values.port ? { port: Number(values.port) } : {}),
});
process.stdout.write(`listening ${server.url}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
