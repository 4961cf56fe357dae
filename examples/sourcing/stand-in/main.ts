import { ScoringApi } from './scoring-api.js';

/**
 * The scoring stand-in as its own process, for `npm start -- sourcing`: 60 calls per minute per key,
 * 5 % faults, like the real API it stands for. Port and key from the environment.
 */
const port = Number(process.env['SCORING_API_PORT'] ?? 4610);
const key = process.env['SCORING_API_KEY'];
if (!key) {
  process.stderr.write('SCORING_API_KEY is not set\n');
  process.exit(2);
}
const api = await ScoringApi.start({ keys: [key], port, faultRate: 0.05, stallMs: 20_000 });
process.stdout.write(`scoring stand-in on ${api.url} (60 calls/min per key, 5 % faults)\n`);
const stop = () => void api.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
